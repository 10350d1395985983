import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
application = get_wsgi_application()

# A web process mints intake codenames ahead while idle (tropa/intake/services/ahead.py).
from tropa.intake.services.ahead import CODENAMES  # noqa: E402

CODENAMES.start()
