"""corridor's HTTP client: every endpoint of the API (``corridor serve``), and client-side
signing, so that an organisation's private key never leaves it.

    client.api       Client: one method per endpoint; Page, Submitted
    client.errors    an error answer back into corridor's own error class; unreachable servers
    client.signing   validate against the server's registry, sign with the local key folder
    client.record    a server's record as the target of an import

An adapter: it imports the core (model, ledger, errors) and httpx, never the application, the
store, the service or the CLI.
"""

from corridor.client.api import Client, Page, Submitted
from corridor.client.errors import error_from_response
from corridor.client.record import RemoteRecord
from corridor.client.signing import Prepared, SigningDesk, observation_from_shape

__all__ = [
    "Client",
    "Page",
    "Prepared",
    "RemoteRecord",
    "SigningDesk",
    "Submitted",
    "error_from_response",
    "observation_from_shape",
]
