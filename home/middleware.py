"""Framing: refused everywhere except Wagtail's previews, in both headers browsers read.

X-Frame-Options is DENY (Django's middleware) and the CSP's frame-ancestors is 'none'. Wagtail marks the responses
it shows inside the admin's preview iframe with X-Frame-Options SAMEORIGIN; browsers obey frame-ancestors over
X-Frame-Options, so those responses get frame-ancestors 'self' to match – and no other response can be framed.
"""

CSP_HEADER = "Content-Security-Policy"


def _frame_ancestors_self(policy: str) -> str:
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    kept = [part for part in directives if part.split()[0] != "frame-ancestors"]
    return "; ".join([*kept, "frame-ancestors 'self'"])


class PreviewFrameAncestorsMiddleware:
    """Must come after csp.middleware.CSPMiddleware in MIDDLEWARE, so it sees the response first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            if CSP_HEADER in response:
                # A page preview is rendered through the whole middleware stack once more (Wagtail's dummy
                # request), so its policy is already written.
                response[CSP_HEADER] = _frame_ancestors_self(response[CSP_HEADER])
            else:
                response._csp_replace = {
                    **(getattr(response, "_csp_replace", None) or {}),
                    "frame-ancestors": ["'self'"],
                }
        return response
