#!/usr/bin/env python
import os
import sys

from corridor import devenv

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    # On a development machine, var/dev.env (written by `make setup`) supplies SECRET_KEY,
    # DEBUG and SITE_URL; never when the environment sets SECRET_KEY (see corridor/devenv.py).
    devenv.load()

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings: refuse bad ones in one line)
    except ImproperlyConfigured as error:
        devenv.exit_on_configuration_error(error)
    execute_from_command_line(sys.argv)
