"""moto_server with its SigV4 query bug mended: run as `python3 moto_server_signed_query.py -H HOST -p PORT`.

moto 5.2 rebuilds the request it verifies from the *decoded* URI, so a query value holding '/' (ListObjectsV2
`prefix=_nodeagent/probes/`) is canonicalised unencoded and every such request fails as SignatureDoesNotMatch,
for boto3 and the .NET SDK alike. Real S3 encodes it (RFC 3986, as the client signed it) and accepts it. This
re-encodes the query of the request moto verifies, then runs the ordinary moto_server: wrong secrets and unknown
keys still fail, only correctly signed requests with such a query now pass. Test fixtures and the demo only; the
product lists with its prefix as it must against real S3.
"""
import sys
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from moto.iam.access_control import IAMRequestBase
from moto.server import main

_create_aws_request = IAMRequestBase._create_aws_request


def _quote(text: str) -> str:
    # unquote first: idempotent for a part that is still encoded; not unquote_plus, as '+' is a literal in SigV4.
    return quote(unquote(text), safe="-_.~")


def _create_aws_request_with_encoded_query(self):  # type: ignore[no-untyped-def]
    request = _create_aws_request(self)
    parts = urlsplit(request.url)
    if parts.query:
        pairs = (pair.partition("=") for pair in parts.query.split("&") if pair)
        request.url = urlunsplit(parts._replace(query="&".join(f"{_quote(k)}={_quote(v)}" for k, _, v in pairs)))
    return request


IAMRequestBase._create_aws_request = _create_aws_request_with_encoded_query

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
