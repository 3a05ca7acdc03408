import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerhub.settings")

from careerhub.limits import chunked_bodies

application = chunked_bodies(get_wsgi_application())
