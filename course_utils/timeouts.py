"""Every network wait of the course, in one place: how long before it gives up with a message.

Nothing the course does may hang a notebook, the chat app or a test: each call that leaves this
process takes its limit from here.
"""

from __future__ import annotations

# setup(): does a Hub answer? One probe; the whole decision takes at most about this long.
HUB_PROBE_SECONDS = 4.0
# Calls huggingface_hub makes for the course (log-in, whoami, auth_check, model info, file
# downloads): each connection, read or write may wait this long. Log-in makes two calls at most.
HUB_REQUEST_SECONDS = 7.0
# The OpenAI-compatible chat backend: one try, then a clear message (the app must not spin).
CHAT_REQUEST_SECONDS = 20.0
# The course's local servers (local Hub, test servers): how long a silent client may hold a thread.
SERVER_READ_SECONDS = 10.0
