"""AWS Bedrock's InvokeModel for Anthropic's models: Anthropic's body over AWS's transport.

``POST {base}/model/{url-encoded model id}/invoke`` (a stream: ``/invoke-with-response-stream``), the base URL
``https://bedrock-runtime.{region}.amazonaws.com`` unless the credentials give one; the body is Anthropic's without
``model`` and ``stream``, plus ``"anthropic_version": "bedrock-2023-05-31"``. Every attempt is signed anew with
SigV4 (service ``bedrock``) over exactly the bytes and headers sent, with the key pair from credentials.json or
``$AWS_ACCESS_KEY_ID``/``$AWS_SECRET_ACCESS_KEY`` and, for a key pair from the environment, ``$AWS_SESSION_TOKEN``
(read when the endpoint's first request is signed: the signer is made once an endpoint). A stream is AWS's
event-stream framing (decoded by botocore), each ``chunk`` an Anthropic event; throttling and model errors that
arrive inside a 200 stream are classified as their HTTP forms are.

botocore comes with ``pip install 'pbcfg[aws]'`` and is imported only to sign or decode.

PonyBunny's model ids are sent as Bedrock's (:data:`BEDROCK_MODEL_IDS`); any other id is sent as written, so a
cross-region inference profile (``us.anthropic.…``, ``eu.anthropic.…``, ``global.anthropic.…``) works when a
model is named by it.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pbcfg.runtime.protocols.anthropic import Anthropic, AnthropicEvents, error_failure, messages_body
from pbcfg.runtime.protocols.base import ChatRequest, Delta, HttpRequest, PerEndpoint, bad_region, path_segment
from pbcfg.runtime.responses import Failure, Kind, bad_response, classify, excerpt, parse_json, retry_after_seconds
from pbcfg.runtime.sealed import plain

if TYPE_CHECKING:
    from collections.abc import Mapping

    from botocore.auth import SigV4Auth

    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = [
    "BEDROCK_ANTHROPIC_VERSION",
    "BEDROCK_MODEL_IDS",
    "DEFAULT_REGION",
    "PROTOCOL",
    "Bedrock",
    "BedrockStream",
    "bedrock_model_id",
]

BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31"
DEFAULT_REGION = "us-east-1"  # PonyBunny's built-in llm-config gives aws-bedrock this region
INSTALL = "pip install 'pbcfg[aws]'"
# PonyBunny's Claude ids (dated and undated) -> Bedrock's model ids
BEDROCK_MODEL_IDS = {
    "claude-haiku-4-5-20251001": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-haiku-4-5": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-sonnet-4-5-20250929": "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-sonnet-4-5": "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-opus-4-5-20251101": "anthropic.claude-opus-4-5-20251101-v1:0",
    "claude-opus-4-5": "anthropic.claude-opus-4-5-20251101-v1:0",
}
_RETRIED = (
    "Throttling",
    "ServiceQuotaExceeded",
    "ModelNotReady",
    "ServiceUnavailable",
    "InternalServer",
    "ModelTimeout",
    "ModelError",
    "ModelStreamError",
)
_REFUSED_KEY = (
    "AccessDenied",
    "UnrecognizedClient",
    "SignatureDoesNotMatch",
    "InvalidClientTokenId",
    "ExpiredToken",
    "InvalidSignature",
    "MissingAuthenticationToken",
    "IncompleteSignature",
)


def bedrock_model_id(model: str) -> str:
    return BEDROCK_MODEL_IDS.get(model, model)


def region(endpoint: EffectiveEndpoint) -> str:
    value = endpoint.fields.get("region")
    return plain(value.value) if value else DEFAULT_REGION


def base_url(endpoint: EffectiveEndpoint) -> str:
    """The credentials' base URL (a ``{region}`` in it filled), else Bedrock's runtime host for the region."""
    if endpoint.base_url is None:
        return PROTOCOL.derived_base_url(endpoint)
    return plain(endpoint.base_url.value).replace("{region}", region(endpoint)).rstrip("/")


def bedrock_body(model: str, chat: ChatRequest) -> dict:
    body = messages_body(model, chat)
    del body["model"]
    return {"anthropic_version": BEDROCK_ANTHROPIC_VERSION, **body}


def _signer(endpoint: EffectiveEndpoint) -> SigV4Auth:
    """botocore's SigV4 signer for ``endpoint`` (made once an endpoint: it holds no state between signatures): the
    endpoint's key pair, the session token that goes with a pair from the environment, service ``bedrock``, and the
    region of the host it signs for."""
    from botocore.auth import SigV4Auth
    from botocore.credentials import Credentials

    from pbcfg.secrets.known import REDACTOR

    key_id, secret = endpoint.fields["accessKeyId"], endpoint.fields["secretAccessKey"]
    token = os.environ.get("AWS_SESSION_TOKEN") if key_id.source.startswith("env ") else None
    if token:
        REDACTOR.add(token)  # not one of PonyBunny's variables, so nothing registered it yet
    host = urlsplit(base_url(endpoint)).hostname or ""
    signing_region = host.split(".")[1] if host.startswith("bedrock-runtime.") else region(endpoint)
    return SigV4Auth(Credentials(plain(key_id.value), plain(secret.value), token or None), "bedrock", signing_region)


def _invoke_url(endpoint: EffectiveEndpoint, model: str, action: str) -> str:
    return f"{base_url(endpoint)}/model/{path_segment(bedrock_model_id(model))}/{action}"


_signers = PerEndpoint(_signer)
_invoke_urls = PerEndpoint(_invoke_url)


def _error_code(headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
    """(the error's code, its message): AWS's ``x-amzn-ErrorType`` header and JSON ``message``, or an XML
    ``<Code>``/``<Message>`` (as signature errors come)."""
    code = (headers.get("x-amzn-errortype") or "").split(":", 1)[0]
    data = parse_json(body)
    if isinstance(data, dict):
        code = code or str(data.get("__type") or "").rsplit("#", 1)[-1]
        return code, str(data.get("message") or data.get("Message") or "")
    text = body.decode("utf-8", "replace")
    return code or _tag(text, "Code"), _tag(text, "Message")


def _tag(xml: str, name: str) -> str:
    """The text of the first ``<name>`` element of an AWS XML error."""
    return xml.split(f"<{name}>", 1)[1].split(f"</{name}>", 1)[0] if f"<{name}>" in xml else ""


def classify_error(status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
    """Throttling, unready or failing models and 5xx are retried; a refused signature or key moves on; an unknown
    model id moves on as a model the endpoint does not serve; other validation errors stop."""
    code, said = _error_code(headers, body)
    verdict = classify(
        status,
        json.dumps({"error": {"type": code, "message": said}}) if code or said else body.decode("utf-8", "replace"),
    )
    kind = verdict.kind
    lowered = said.lower()
    if any(code.startswith(name) for name in _RETRIED):
        kind = Kind.RETRY
    elif any(code.startswith(name) for name in _REFUSED_KEY) or status in (401, 403):
        kind = Kind.AUTH
    elif code.startswith("ResourceNotFound") or "model identifier is invalid" in lowered:
        kind = Kind.MODEL_ABSENT
    elif "too long" in lowered or "too many tokens" in lowered:
        kind = Kind.CONTEXT_LENGTH
    message = excerpt(f"{code}: {said}" if code and said else code or said) or verdict.message
    return Failure(kind, message, status, retry_after_seconds(headers, retry_after_cap))


class BedrockStream:
    """AWS event-stream frames: ``chunk`` events carry ``{"bytes": base64(Anthropic event)}``; an ``exception``
    frame is the error its HTTP form would be."""

    def __init__(self) -> None:
        from botocore.eventstream import EventStreamBuffer

        self._frames, self._events = EventStreamBuffer(), AnthropicEvents()

    def feed(self, data: bytes) -> list[Delta | None]:
        from botocore.eventstream import ParserError

        self._frames.add_data(data)
        try:
            return [self._message(message.headers, message.payload) for message in self._frames]
        except ParserError as error:
            raise bad_response(f"the event stream is corrupt ({type(error).__name__})", b"", 200) from None

    def close(self) -> list[Delta | None]:
        return self._events.pending()

    def _message(self, headers: dict, payload: bytes) -> Delta | None:
        kind = headers.get(":message-type")
        if kind == "exception":
            message = parse_json(payload)
            said = str(message.get("message") or "") if isinstance(message, dict) else ""
            raise error_failure(str(headers.get(":exception-type") or "exception"), said, 200)
        if kind == "error":
            raise error_failure(
                str(headers.get(":error-code") or "error"), str(headers.get(":error-message") or ""), 200
            )
        if headers.get(":event-type") != "chunk":
            return Delta()
        chunk = parse_json(payload)
        encoded = chunk.get("bytes") if isinstance(chunk, dict) else None
        if not isinstance(encoded, str):
            raise bad_response("the stream's chunk carries no event", payload, 200)
        try:
            event = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise bad_response("the stream's chunk is not base64", payload, 200) from None
        return self._events.event(event)


class Bedrock(Anthropic):
    name = "bedrock"
    hints = {  # noqa: RUF012 (read only)
        Kind.AUTH: "check accessKeyId and secretAccessKey (and AWS_SESSION_TOKEN with temporary keys), and that "
        "the key pair may call bedrock:InvokeModel in the region",
        Kind.BAD_RESPONSE: "is the base URL Bedrock's runtime host (https://bedrock-runtime.{region}.amazonaws.com)?",
    }

    def derived_base_url(self, endpoint: EffectiveEndpoint) -> str:
        """The base URL when the credentials give none (the plan keeps such an endpoint): the region's host."""
        return f"https://bedrock-runtime.{region(endpoint)}.amazonaws.com"

    def unavailable(self, endpoint: EffectiveEndpoint) -> str | None:
        if importlib.util.find_spec("botocore") is None:
            return f"Bedrock needs botocore to sign requests (SigV4); install it: {INSTALL}"
        return bad_region(region(endpoint))

    def chat_request(
        self, endpoint: EffectiveEndpoint, model: str, chat: ChatRequest, *, stream: bool, stream_usage: bool = True
    ) -> HttpRequest:
        url = _invoke_urls(endpoint, model, "invoke-with-response-stream" if stream else "invoke")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/vnd.amazon.eventstream" if stream else "application/json",
        }
        return HttpRequest("POST", url, headers, json.dumps(bedrock_body(model, chat)).encode())

    def authorize(self, endpoint: EffectiveEndpoint, request: HttpRequest) -> dict[str, str]:
        """SigV4 over this request's method, URL, headers and bytes, made now (its date is part of it)."""
        from botocore.awsrequest import AWSRequest

        signed = AWSRequest(request.method, request.url, data=request.body or b"", headers=request.headers)
        _signers(endpoint).add_auth(signed)
        return {name: value for name, value in signed.headers.items() if name not in request.headers}

    def stream_decoder(self) -> BedrockStream:
        return BedrockStream()

    def classify(self, status: int, headers: Mapping[str, str], body: bytes, retry_after_cap: float) -> Failure:
        return classify_error(status, headers, body, retry_after_cap)

    def probe_request(self, endpoint: EffectiveEndpoint) -> HttpRequest | str:
        return (
            "untested: bedrock-runtime has no free call that proves a key pair (listing models is another "
            "service); the first call signs with it"
        )


PROTOCOL = Bedrock()
