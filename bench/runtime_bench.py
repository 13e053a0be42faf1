"""The runtime's own overhead per call, sync and async: plan, limiter, request build, deadlines, response checks.

An in-process transport answers instantly, so what is left is pbcfg plus httpx's
machinery. Raw httpx (a client's ``send``) is timed alone on the same transport and
subtracted: the budgeted overhead. pbcfg sends to the transport without a client
around it, so its call can cost less than raw httpx's; the transport alone is timed
too, and what pbcfg spends beyond it (its own work) is reported beside. All are timed
in turns, call by call, so a busy machine slows them alike. Budget: 50 µs median for a sync call; the async figure is reported beside it. If LiteLLM is installed, its
Router.completion with a mocked response is timed side by side.

Each protocol gets a row of its own, against raw httpx sending the very request pbcfg sends, its body encoded on
each call (the OpenAI row's ``json=`` does the same). A raw client calling Bedrock must sign every request too, so
Bedrock's baseline signs each call with botocore's SigV4Auth (service ``bedrock``, the same region and key pair, the
signer made once): the row is pbcfg's cost beyond signing. Vertex's baseline sends the cached token pbcfg holds;
fetching one is a network call, not overhead.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

BUDGET_US = 50.0
ANSWER = {
    "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=ANSWER)


def medians_us(*functions, runs: int = 5000) -> list[float]:
    """The median time of each function, timed in turns (one call of each, then again)."""
    for _ in range(200):
        for function in functions:
            function()
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, samples):
            start = time.perf_counter_ns()
            function()
            times.append((time.perf_counter_ns() - start) / 1000)
    return [statistics.median(times) for times in samples]


async def amedians_us(*functions, runs: int = 5000) -> list[float]:
    """:func:`medians_us` for coroutine functions, on one event loop."""
    for _ in range(200):
        for function in functions:
            await function()
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, samples):
            start = time.perf_counter_ns()
            await function()
            times.append((time.perf_counter_ns() - start) / 1000)
    return [statistics.median(times) for times in samples]


async def async_overhead(runtime, transport, messages, body) -> tuple[float, float]:
    """``runtime.acomplete`` and ``httpx.AsyncClient`` alone on the same transport: (pbcfg's call, httpx's)."""
    async with httpx.AsyncClient(transport=transport) as client:

        async def bare():
            request = client.build_request(
                "POST", "http://bench/v1/chat/completions", json=body, headers={"Authorization": "Bearer EMPTY"}
            )
            response = await client.send(request, stream=True)
            await response.aread()
            await response.aclose()

        total, http = await amedians_us(lambda: runtime.acomplete(messages, tier="simple"), bare)
    return total, http


def main() -> int:
    from pbcfg.runtime import load_runtime

    directory = Path(tempfile.mkdtemp())
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": "http://bench/v1"}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    "openai-compatible": {"enabled": True, "rateLimit": {"requestsPerMinute": 1_000_000}}
                },  # the most the schema allows: measured, never binding
                "models": {
                    "m": {
                        "displayName": "m",
                        "endpoints": ["openai-compatible"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
            }
        )
    )
    transport = httpx.MockTransport(handler)
    runtime = load_runtime(directory, env={}, transport=transport)
    messages = [{"role": "user", "content": "hi"}]
    client = httpx.Client(transport=transport)
    body = {"model": "m", "messages": messages, "max_tokens": 4096, "temperature": 0.7}

    def bare():
        response = client.send(
            client.build_request(
                "POST", "http://bench/v1/chat/completions", json=body, headers={"Authorization": "Bearer EMPTY"}
            ),
            stream=True,
        )
        response.read()
        response.close()

    def transport_alone():
        request = httpx.Request(
            "POST", "http://bench/v1/chat/completions", json=body, headers={"Authorization": "Bearer EMPTY"}
        )
        response = transport.handle_request(request)
        response.read()
        response.close()

    total, http, alone = medians_us(lambda: runtime.complete(messages, tier="simple"), bare, transport_alone)
    overhead = total - http
    import asyncio

    async_total, async_http = asyncio.run(async_overhead(runtime, transport, messages, body))
    async_overhead_us = async_total - async_http
    lines = [
        f"runtime.complete, in-process transport: {total:.1f} µs median",
        f"httpx alone on the same transport:      {http:.1f} µs median",
        f"pbcfg's own overhead per call:          {overhead:.1f} µs (budget {BUDGET_US:.0f} µs)",
        f"the transport alone, as pbcfg sends:    {alone:.1f} µs median: pbcfg's own work {total - alone:.1f} µs",
        f"runtime.acomplete, in-process transport: {async_total:.1f} µs median",
        f"httpx.AsyncClient alone, same transport: {async_http:.1f} µs median",
        f"pbcfg's own overhead per async call:     {async_overhead_us:.1f} µs (reported, not budgeted)",
    ]
    try:
        import litellm  # noqa: F401
    except ImportError:
        lines.append("LiteLLM is not installed; for reference it measured 1.75-2.08 ms per Router.completion here.")
    else:
        router = litellm.Router(
            model_list=[
                {
                    "model_name": "m",
                    "litellm_params": {
                        "model": "openai/m",
                        "api_key": "x",
                        "api_base": "http://bench/v1",
                        "mock_response": "hi",
                    },
                }
            ]
        )
        (theirs,) = medians_us(lambda: router.completion(model="m", messages=messages), runs=500)
        lines.append(
            f"LiteLLM Router.completion (mock_response): {theirs:.1f} µs median, {theirs / total:.1f}x pbcfg's call"
        )
    rows, within = protocol_rows(messages)
    lines += rows
    print("\n".join(lines))
    import os
    import platform

    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    (Path(__file__).parent / "RUNTIME.md").write_text(
        "# Runtime overhead\n\nWritten by `make bench` (bench/runtime_bench.py) on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}."
        "\n\n```\n" + "\n".join(lines) + "\n```\n"
    )
    return 0 if overhead <= BUDGET_US and within else 1


# one endpoint per protocol: (id, credentials entry, model, the answer its server gives)
PROTOCOLS = {
    "anthropic": (
        "anthropic-direct",
        {"apiKey": "sk-ant-bench", "baseUrl": "http://bench/v1/messages"},
        "claude-haiku-4-5-20251001",
        {
            "type": "message",
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 5, "output_tokens": 2},
        },
    ),
    "gemini": (
        "google-ai-studio",
        {"apiKey": "AIza-bench", "baseUrl": "http://bench/v1beta"},
        "gemini-2.0-flash",
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2},
        },
    ),
    "bedrock (httpx signs too)": (
        "aws-bedrock",
        {"accessKeyId": "AKIDBENCH", "secretAccessKey": "bench-secret", "baseUrl": "http://bench"},
        "claude-haiku-4-5-20251001",
        {
            "type": "message",
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 5, "output_tokens": 2},
        },
    ),
    "vertex (cached token)": (
        "google-vertex-ai",
        {"projectId": "bench", "baseUrl": "http://bench/v1"},
        "gemini-2.0-flash",
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2},
        },
    ),
}


def _cached_vertex_token() -> None:
    """Vertex's token as its cache holds it between calls (the fetch itself is a network call, not overhead)."""
    import datetime
    import os

    import google.oauth2.credentials

    from pbcfg.runtime.protocols.vertex import PROTOCOL, _fresh

    expiry = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=1)
    PROTOCOL._tokens._fresh[os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")] = _fresh(
        google.oauth2.credentials.Credentials("bench-token", expiry=expiry)
    )


def sigv4_signer(credentials: dict, region: str):
    """What a raw httpx client calling Bedrock does on every call: SigV4 over the request's method, URL, headers
    and bytes with botocore's SigV4Auth (made once, as such a client would); the request's headers, signed."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(credentials["accessKeyId"], credentials["secretAccessKey"]), "bedrock", region)

    def signed(method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        aws = AWSRequest(method, url, data=body, headers=headers)
        signer.add_auth(aws)
        return dict(aws.headers.items())

    return signed


def protocol_rows(messages: list[dict]) -> tuple[list[str], bool]:
    """Each protocol's runtime.complete against raw httpx sending the very request pbcfg sends (URL, headers,
    bytes, the body encoded on each call as the OpenAI row's is) on the same in-process transport; the difference
    is pbcfg's overhead. Bedrock's baseline signs each call itself (:func:`sigv4_signer`), so signing is no part
    of pbcfg's figure."""
    from pbcfg.runtime import load_runtime
    from pbcfg.runtime.protocols.base import ChatRequest
    from pbcfg.runtime.protocols.bedrock import DEFAULT_REGION as BEDROCK_REGION

    lines, within = [], True
    for name, (endpoint_id, credentials, model, answer) in PROTOCOLS.items():
        directory = Path(tempfile.mkdtemp())
        (directory / "credentials.json").write_text(json.dumps({"endpoints": {endpoint_id: credentials}}))
        (directory / "llm-config.json").write_text(
            json.dumps(
                {
                    "endpoints": {
                        endpoint_id: {"enabled": True, "priority": 1, "rateLimit": {"requestsPerMinute": 1_000_000}}
                    },
                    "models": {
                        model: {
                            "displayName": model,
                            "endpoints": [endpoint_id],
                            "costPer1kTokens": {"input": 0, "output": 0},
                        }
                    },
                    "tiers": {"simple": {"primary": model, "fallback": []}},
                }
            )
        )
        transport = httpx.MockTransport(lambda request, answer=answer: httpx.Response(200, json=answer))
        runtime = load_runtime(directory, env={}, transport=transport)
        plan = runtime.plan(tier="simple")
        if not plan.attempts:  # an optional extra (pbcfg[aws], pbcfg[gcp]) not installed: said, and a miss
            lines.append(f"{name + ':':<30}not measured: {plan.dropped[0].reason}")
            within = False
            continue
        if endpoint_id == "google-vertex-ai":
            _cached_vertex_token()
        candidate = plan.attempts[0]
        request = candidate.protocol.chat_request(
            candidate.endpoint, model, ChatRequest(messages, 4096, 0.7), stream=False
        )
        headers = {**request.headers, **candidate.protocol.authorize(candidate.endpoint, request)}
        sign = sigv4_signer(credentials, BEDROCK_REGION) if endpoint_id == "aws-bedrock" else None
        body = json.loads(request.body)
        assert json.dumps(body).encode() == request.body  # the very bytes pbcfg sends
        client = httpx.Client(transport=transport)

        def bare(client=client, request=request, body=body, headers=headers, sign=sign, direct=False):
            method, url = request.method, request.url
            content = json.dumps(body).encode()  # encoded on each call, as the OpenAI row's json= is
            if sign is not None:
                headers = sign(method, url, request.headers, content)
            if direct:  # the transport alone, as pbcfg sends
                response = transport.handle_request(httpx.Request(method, url, content=content, headers=headers))
            else:
                response = client.send(client.build_request(method, url, content=content, headers=headers), stream=True)
            response.read()
            response.close()

        total, http, alone = medians_us(
            lambda runtime=runtime: runtime.complete(messages, tier="simple"),
            bare,
            lambda bare=bare: bare(direct=True),
            runs=2000,
        )
        overhead = total - http
        within = within and overhead <= BUDGET_US
        lines.append(
            f"{name + ':':<30}{total:7.1f} µs median, httpx alone {http:.1f} µs, "
            f"pbcfg's overhead {overhead:.1f} µs (budget {BUDGET_US:.0f} µs); its own work over the transport "
            f"alone ({alone:.1f} µs): {total - alone:.1f} µs"
        )
    return lines, within


if __name__ == "__main__":
    sys.exit(main())
