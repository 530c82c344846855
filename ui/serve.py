"""The web app as it is served: `streamlit run ui/serve.py` (what `kg ui` runs).

Streamlit's own Host check (``server.allowedHosts``) guards only its WebSocket; its static
files, health check, media and upload routes answer any Host. A DNS-rebinding page (a foreign
name re-pointed at 127.0.0.1) could then read them. So the app is served as an ASGI app
(``st.App``) whose first middleware, Starlette's ``TrustedHostMiddleware``, refuses every
request, WebSocket included, whose Host is not a name the server serves: HTTP 400 "Invalid host
header". Host names are compared without the port (a proxy's public port differs from ours).

Kept free of the ``ui`` package's imports: `streamlit run` imports this file as the top-level
module ``serve`` with ui/ on sys.path.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

#: the pages themselves (navigation, shared controls)
APP = Path(__file__).resolve().parent / "app.py"
#: host names the browser may use on this machine
LOCAL_HOSTS = ("127.0.0.1", "localhost")
#: comma-separated extra host names, e.g. a reverse proxy's public name
EXTRA_HOSTS_VAR = "REDISCOVER_UI_ALLOWED_HOSTS"


def allowed_hosts() -> list[str]:
    """Loopback names, plus the names listed in REDISCOVER_UI_ALLOWED_HOSTS."""
    extra = os.environ.get(EXTRA_HOSTS_VAR, "")
    return [*LOCAL_HOSTS, *(h.strip() for h in extra.split(",") if h.strip())]


app = st.App(APP, middleware=[
    Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(), www_redirect=False)])
