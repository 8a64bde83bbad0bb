"""The REST API, mounted at /api/v1/ (OpenAPI document: /api/v1/openapi.json, docs: /api/v1/docs).

Other systems authenticate with a bearer token (accounts.services.create_api_token); the browser
uses its session, once the sign-in is complete, with the CSRF token on unsafe methods."""

from vanphong.consultation.api import router as consultation_router
from vanphong.consultation.consolidation_api import router as consolidation_router
from vanphong.consultation.exchange_api import router as consultation_exchange_router
from vanphong.consultation.synthesis_api import router as synthesis_router
from vanphong.core.api_support import CompleteSessionAuth, TokenAuth, VanPhongAPI, install_error_handlers
from vanphong.documents.api import router as documents_router
from vanphong.documents.book_api import router as book_router
from vanphong.documents.scan_api import router as scan_router
from vanphong.exchange.api import router as exchange_router
from vanphong.hub.api import router as hub_router
from vanphong.notifications.api import router as notifications_router
from vanphong.org.api import router as org_router
from vanphong.pki.api import router as pki_router
from vanphong.signing.api import router as signing_router
from vanphong.workflow.api import router as workflow_router
from vanphong.workflow.approval_api import router as approval_router
from vanphong.workflow.dashboard_api import router as dashboard_router

api = VanPhongAPI(
    title="VănPhòng API",
    version="1",
    description=(
        "REST API of VănPhòng. Authenticate with `Authorization: Bearer vp_…` (a token made on your "
        "account page), or with a signed-in browser session and its CSRF token. Every record belongs "
        "to one agency: you see and change only your own agency's units and people. Errors are "
        "{\"detail\": message}, or {\"detail\": [{\"field\", \"message\"}]} for invalid input (422), in "
        "the language of Accept-Language (vi or en)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), CompleteSessionAuth()],
)
install_error_handlers(api)
api.add_router("", org_router)
api.add_router("", documents_router)
api.add_router("", book_router)
api.add_router("", scan_router)
api.add_router("", workflow_router)
api.add_router("", dashboard_router)
api.add_router("", approval_router)
api.add_router("", notifications_router)
api.add_router("", signing_router)
api.add_router("", pki_router)
api.add_router("", hub_router)
api.add_router("", consultation_router)
api.add_router("", consolidation_router)
api.add_router("", synthesis_router)
api.add_router("", consultation_exchange_router)
api.add_router("", exchange_router)
