"""ASGI entry point: HTTP through Django, websockets through Channels (routes added by the apps' routing modules).

After start-up the objects loaded so far (modules, URL resolvers, templates) are moved out of the cyclic garbage
collector's reach (``gc.freeze``): a full collection then scans only what requests allocate, which removes the
~300 ms pauses a studio request holding a whole course document otherwise meets at p99 (docs/benchmarks.md).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from academy.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
gc.collect()
gc.freeze()
