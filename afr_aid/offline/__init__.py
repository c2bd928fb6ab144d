"""The volunteer's phone without a connection: the service worker, the web app
manifest, the offline page and what the offline queue asks of the server (a
fresh CSRF token, the summary of the volunteer's open cases). The queue itself
runs in the browser (static/js/offline.js); filing goes through the ordinary
filing form (cases/filing.py), which answers it in JSON."""
