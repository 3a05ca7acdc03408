"""The API's JSON renderer: DRF's, with orjson doing the encoding.

Encoding is a fixed share of every answer, and the largest ones (a roadmap with its milestones,
a page of 50 milestones) spend about as long in ``json.dumps`` as in everything else of their
own. orjson writes the same JSON several times faster. What the output must stay is DRF's: the
same compact UTF-8, values orjson does not take itself (dates and times in DRF's format,
decimals, lazy translations, dataclasses) handed to DRF's encoder, and U+2028/U+2029 escaped.
Anything orjson refuses (an integer past 64 bits, say) falls back to DRF's own path, as does a
request for indented output. One difference: a float that is not a number would be written as
``null`` where DRF's strict encoder fails; the API computes none.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        plain = self.compact and not self.ensure_ascii and self.strict
        if not plain or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: JSON that is also a strict subset of JavaScript.
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
