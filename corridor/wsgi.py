import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from corridor import devenv

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:
    # One line instead of a traceback per worker. Status 4 is gunicorn's "App failed to
    # load": the master stops rather than restarting workers that cannot start.
    devenv.exit_on_configuration_error(error, status=4, development_hint=False)
