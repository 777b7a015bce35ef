"""FaceFit web app: accounts, the JSON API, pages, and live coaching over a WebSocket.

The browser runs the Face Landmarker and sends only landmarks, never video; the server turns them into
signals and runs the same Python engine as the CLI. Build the app with
:func:`facefit.web.app.create_app` (nothing is built at import time).
"""
