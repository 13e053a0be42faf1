"""Bedrock's InvokeModel: SigV4 checked by moto's server (right secret 200, wrong 403), and the response stream's
event-stream frames (encoded by moto's encoder, decoded by botocore) from a loopback server."""

from __future__ import annotations

import datetime
import json

import pytest

from pbcfg.ponybunny.effective import EffectiveEndpoint, Value
from pbcfg.runtime import AllAttemptsFailed, RequestRejected, ToolCall, load_runtime
from pbcfg.runtime.protocols.base import ChatRequest
from pbcfg.runtime.protocols.bedrock import PROTOCOL, bedrock_model_id
from servers import EventStreamServer, anthropic_frames, exception_frame, llmock_server, moto_server, said, write_config

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

MODEL = "claude-haiku-4-5-20251001"
BEDROCK_ID = "anthropic.claude-haiku-4-5-20251001-v1:0"
SECRET = "wJalrXUtnFEMI-test-secret-0123456789"


@pytest.fixture(scope="module")
def aws():
    with moto_server() as running:
        yield running


@pytest.fixture(autouse=True)
def one_second_per_signature(monkeypatch):
    """botocore dates each signature by the second: each one a second after the last, so each attempt's differs."""
    import botocore.auth

    start, ticks = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None), iter(range(10**6))
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: start + datetime.timedelta(seconds=next(ticks)))


def runtime(tmp_path, base_url: str, access_key_id: str, secret: str, **endpoints):
    write_config(
        tmp_path,
        {
            "aws-bedrock": (
                {"enabled": True, "priority": 1},
                {"accessKeyId": access_key_id, "secretAccessKey": secret, "region": "us-east-1", "baseUrl": base_url},
            ),
            **endpoints,
        },
        {MODEL: ["aws-bedrock", *endpoints]},
        retries=1,
    )
    return load_runtime(tmp_path, env={}, sleep=lambda seconds: None)


def test_the_request_invokes_the_bedrock_model_id_with_anthropics_body():
    endpoint_fields = {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": SECRET, "region": "eu-west-1"}
    endpoint = EffectiveEndpoint(
        "aws-bedrock",
        "anthropic",
        2,
        True,
        None,
        {k: Value(v, f"credentials.json /endpoints/aws-bedrock/{k}") for k, v in endpoint_fields.items()},
        [],
        None,
    )
    request = PROTOCOL.chat_request(
        endpoint,
        MODEL,
        ChatRequest([{"role": "system", "content": "brief"}, {"role": "user", "content": "hi"}], 100),
        stream=False,
    )
    assert request.url == (
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"
    )
    assert json.loads(request.body) == {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "system": "brief",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    }
    signed = PROTOCOL.authorize(endpoint, request)
    assert sorted(signed) == ["Authorization", "X-Amz-Date"]
    assert signed["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/bedrock/aws4_request" in signed["Authorization"]
    assert SECRET not in said(signed, request)
    assert (
        bedrock_model_id("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    )  # any other id as written


def test_the_right_secret_passes_moto_signature_check(aws, tmp_path):
    rt = runtime(tmp_path, aws.url, aws.access_key_id, aws.secret_access_key)
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hi"}], tier="simple")
    # moto's InvokeModel answers {} once the signature checks out: past auth, but not a message
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("bad-response", 200)]
    assert aws.secret_access_key not in said(failed.value, *failed.value.attempts)


def test_a_wrong_secret_is_a_refused_key_that_falls_back(aws, tmp_path):
    with llmock_server() as llmock:
        rt = runtime(
            tmp_path,
            aws.url,
            aws.access_key_id,
            SECRET,
            **{
                "anthropic-direct": (
                    {"enabled": True, "priority": 2},
                    {"apiKey": "sk-ant-spare-key-0123", "baseUrl": llmock.url + "/anthropic/v1/messages"},
                )
            },
        )
        result = rt.complete([{"role": "user", "content": "hi"}], tier="simple")
    assert [(a.endpoint, a.outcome, a.status) for a in result.attempts] == [
        ("aws-bedrock", "auth", 403),
        ("anthropic-direct", "ok", 200),
    ]
    assert result.attempts[0].detail.startswith("SignatureDoesNotMatch: The request signature we calculated")
    assert result.attempts[0].hint == (
        "check accessKeyId and secretAccessKey (and AWS_SESSION_TOKEN with temporary keys), and that the key pair "
        "may call bedrock:InvokeModel in the region"
    )
    assert SECRET not in said(result)


TEXT_EVENTS = [
    {"type": "message_start", "message": {"usage": {"input_tokens": 7, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello "}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "there"}},
    {"type": "content_block_stop", "index": 0},
    {
        "type": "content_block_start",
        "index": 1,
        "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
    },
    {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"ci'}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": 'ty": "Oslo"}'}},
    {"type": "content_block_stop", "index": 1},
    {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}},
    {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 7, "outputTokenCount": 9}},
]


def test_a_response_stream_of_text_and_a_tool_call(tmp_path):
    with EventStreamServer() as frames:
        frames.scripts.append(anthropic_frames(TEXT_EVENTS))
        rt = runtime(tmp_path, frames.root, "AKIDEXAMPLE", SECRET)
        with rt.complete([{"role": "user", "content": "hi"}], tier="simple", stream=True) as stream:
            pieces = list(stream)
    assert pieces == ["Hello ", "there", ToolCall("toolu_1", "get_weather", {"city": "Oslo"})]
    assert (stream.finish_reason, stream.usage) == (
        "tool_calls",
        {"prompt_tokens": 7, "completion_tokens": 9, "total_tokens": 16},
    )
    [(path, headers)] = frames.seen
    assert path == f"/model/{BEDROCK_ID.replace(':', '%3A')}/invoke-with-response-stream"
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert SECRET not in said(stream, pieces, frames.seen)


def test_throttling_inside_a_200_stream_is_retried_and_re_signed(tmp_path):
    with EventStreamServer() as frames:
        frames.scripts.append([exception_frame("throttlingException", "Too many requests, please wait.")])
        frames.scripts.append(anthropic_frames(TEXT_EVENTS))
        rt = runtime(tmp_path, frames.root, "AKIDEXAMPLE", SECRET)
        with rt.complete([{"role": "user", "content": "hi"}], tier="simple", stream=True) as stream:
            assert "".join(piece for piece in stream if isinstance(piece, str)) == "Hello there"
    assert [(a.outcome, a.status) for a in stream.attempts] == [("retry", 200), ("ok", 200)]
    assert "throttlingException: Too many requests" in stream.attempts[0].detail
    first, second = (headers for _, headers in frames.seen)
    assert first["X-Amz-Date"] != second["X-Amz-Date"]
    assert first["Authorization"] != second["Authorization"]


def test_a_validation_error_inside_a_stream_stops(tmp_path):
    with EventStreamServer() as frames:
        frames.scripts.append([exception_frame("validationException", "max_tokens: field required")])
        rt = runtime(tmp_path, frames.root, "AKIDEXAMPLE", SECRET)
        with pytest.raises(RequestRejected) as stopped:
            rt.complete([{"role": "user", "content": "hi"}], tier="simple", stream=True)
    assert [(a.outcome, a.status) for a in stopped.value.attempts] == [("rejected", 200)]


def test_a_corrupt_frame_is_a_bad_response(tmp_path):
    with EventStreamServer() as frames:
        good = anthropic_frames(TEXT_EVENTS[:1])[0]
        frames.scripts.append([good[:-1] + bytes([good[-1] ^ 0xFF])])  # the message checksum no longer matches
        rt = runtime(tmp_path, frames.root, "AKIDEXAMPLE", SECRET)
        with pytest.raises(AllAttemptsFailed) as failed:
            rt.complete([{"role": "user", "content": "hi"}], tier="simple", stream=True)
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("bad-response", 200)]
    assert "ChecksumMismatch" in failed.value.attempts[0].detail


def test_status_says_untested_and_why(aws, tmp_path):
    rt = runtime(tmp_path, aws.url, aws.access_key_id, aws.secret_access_key)
    [status] = [s for s in rt.status() if s.endpoint == "aws-bedrock"]
    assert status.detail.startswith("untested: bedrock-runtime has no free call")
