"""JSON Lines for backups, with times to the microsecond.

Django's JSON encoders cut datetimes and times to milliseconds (an ECMAScript convention), so a
backup made with the plain "jsonl" format would not give back the exact rows. Registered as the
"backup_jsonl" format in settings.SERIALIZATION_MODULES; its output is ordinary JSON Lines that
the standard "jsonl" deserializer (and so `loaddata x.jsonl`) reads back unchanged.
"""

import datetime

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()


Deserializer = jsonl.Deserializer
