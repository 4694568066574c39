#!/usr/bin/env python3
"""Compatibility suite: the official `openai` and `anthropic` Python clients against `swiftlearn serve`.

Starts the server itself (or uses --base-url), then checks chat (plain, streamed, n>1, logprobs,
seeds), tools (forced, named, streamed deltas), structured output (`chat.completions.parse` with a
Pydantic model, `json_object`), text completions, embeddings in both encodings, the models list,
error types and bodies, API keys, the Anthropic Messages API (plain, streamed, tool use), saved-model
predictions (JSON, CSV, MLflow's formats), /health, /metrics, /openapi.json, and that malformed and
oversized requests get 4xx while the server keeps serving. Every response body is validated
against the client library's own types (pydantic `model_validate` on the raw JSON).

Usage:
  scripts/serve/check_clients.py --binary .build/release/swiftlearn --llm models/SmolLM2-135M-Instruct.Q4_1.gguf \
      [--embeddings models/all-MiniLM-L6-v2] [--model-file NAME=PATH]
Exits 1 with the failed checks listed.
"""
import argparse
import base64
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import anthropic
import httpx2 as httpx
import openai
import pydantic
from anthropic.types import Message
from openai.types import Completion, CreateEmbeddingResponse, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servers import free_port, stop, wait_ready  # noqa: E402

FAILURES = []
PASSED = []


def check(name):
    def wrap(fn):
        def run(*args, **kwargs):
            started = time.time()
            try:
                fn(*args, **kwargs)
                PASSED.append(name)
                print(f"ok    {name} ({time.time() - started:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the suite
                FAILURES.append((name, repr(e)))
                print(f"FAIL  {name}: {e!r}", flush=True)
        return run
    return wrap


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
# anthropic 2.x no longer takes `temperature` as an argument; it still travels in the body.
GREEDY = {"temperature": 0}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current time in a time zone",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
    },
}


def valid_weather_arguments(text):
    args = json.loads(text)
    expect(set(args) == {"city", "unit"}, f"arguments keys {sorted(args)}")
    expect(isinstance(args["city"], str), "city is not a string")
    expect(args["unit"] in ("celsius", "fahrenheit"), f"unit {args['unit']!r}")
    return args


class Suite:
    def __init__(self, base, model, embedding_model, predict_model, key):
        self.base = base
        self.model = model
        self.embedding_model = embedding_model
        self.predict_model = predict_model
        self.key = key
        self.client = openai.OpenAI(base_url=base + "/v1", api_key=key or "none", max_retries=0, timeout=120)
        self.anthropic = anthropic.Anthropic(base_url=base, api_key=key or "none", max_retries=0, timeout=120)
        self.http = httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"} if key else {})

    # -- OpenAI ---------------------------------------------------------------------------------

    @check("models list")
    def models(self):
        raw = self.client.models.with_raw_response.list()
        body = json.loads(raw.http_response.text)
        expect(body["object"] == "list", body)
        ids = [Model.model_validate(m).id for m in body["data"]]
        expect(self.model in ids, f"{self.model} not in {ids}")
        expect([m.id for m in self.client.models.list()] == ids, "client list differs")
        expect(self.client.models.retrieve(self.model).id == self.model, "retrieve")

    @check("chat completion")
    def chat(self):
        raw = self.client.chat.completions.with_raw_response.create(
            model=self.model, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is the capital of France?"}],
            max_tokens=24, temperature=0, seed=1)
        c = ChatCompletion.model_validate(json.loads(raw.http_response.text))
        expect(c.object == "chat.completion" and c.model == self.model, c)
        expect(c.choices[0].message.role == "assistant" and c.choices[0].message.content, "no content")
        expect(c.choices[0].finish_reason in ("stop", "length"), c.choices[0].finish_reason)
        expect(c.usage.prompt_tokens > 0 and 0 < c.usage.completion_tokens <= 24, c.usage)
        expect(c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens, c.usage)
        again = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is the capital of France?"}],
            max_tokens=24, temperature=0, seed=1)
        expect(again.choices[0].message.content == c.choices[0].message.content, "greedy replies differ")

    @check("chat: content parts, max_completion_tokens, stop, n, seed")
    def chat_options(self):
        c = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": [{"type": "text", "text": "Count: one, two,"}]}],
            max_completion_tokens=12, temperature=0.9, seed=7, n=2, stop=["\n\n"])
        expect(len(c.choices) == 2 and [ch.index for ch in c.choices] == [0, 1], c.choices)
        expect(c.usage.completion_tokens <= 24, c.usage)
        d = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": [{"type": "text", "text": "Count: one, two,"}]}],
            max_completion_tokens=12, temperature=0.9, seed=7, n=2, stop=["\n\n"])
        expect([ch.message.content for ch in c.choices] == [ch.message.content for ch in d.choices], "same seed, different text")
        s = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": "Say hello"}],
                                                max_tokens=40, temperature=0, stop=["e"])
        expect("e" not in s.choices[0].message.content, f"stop string in {s.choices[0].message.content!r}")

    @check("chat: logprobs")
    def logprobs(self):
        raw = self.client.chat.completions.with_raw_response.create(
            model=self.model, messages=[{"role": "user", "content": "Hi"}], max_tokens=5, temperature=0, logprobs=True, top_logprobs=3)
        c = ChatCompletion.model_validate(json.loads(raw.http_response.text))
        entries = c.choices[0].logprobs.content
        expect(len(entries) == c.usage.completion_tokens, f"{len(entries)} logprobs for {c.usage.completion_tokens} tokens")
        for e in entries:
            expect(e.logprob <= 0 and len(e.top_logprobs) == 3, e)
            expect(abs(e.top_logprobs[0].logprob - e.logprob) < 1e-4, "greedy token is not the top one")
            expect(bytes(e.bytes).decode("utf-8", "replace") == e.token or e.token, e)

    @check("chat: streaming with usage")
    def stream(self):
        chunks = []
        with self.client.chat.completions.with_streaming_response.create(
                model=self.model, messages=[{"role": "user", "content": "Tell me about Paris."}], max_tokens=20, temperature=0,
                stream=True, stream_options={"include_usage": True}) as response:
            expect(response.headers["content-type"].startswith("text/event-stream"), response.headers)
            done = False
            for line in response.iter_lines():
                if not line:
                    continue
                expect(line.startswith("data: "), line)
                if line == "data: [DONE]":
                    done = True
                    continue
                chunks.append(ChatCompletionChunk.model_validate(json.loads(line[6:])))
        expect(done, "no [DONE]")
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        expect(finish == ["length"] or finish == ["stop"], finish)
        expect(chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0, chunks[-1])
        whole = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": "Tell me about Paris."}],
                                                    max_tokens=20, temperature=0)
        expect(text == whole.choices[0].message.content, f"stream {text!r} != {whole.choices[0].message.content!r}")
        # The client's own stream iterator.
        joined = "".join(ch.choices[0].delta.content or "" for ch in self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": "Tell me about Paris."}], max_tokens=20, temperature=0, stream=True)
            if ch.choices)
        expect(joined == text, "client iterator differs")

    @check("tools: required, named, auto, and a tool result turn")
    def tools(self):
        raw = self.client.chat.completions.with_raw_response.create(
            model=self.model, messages=[{"role": "user", "content": "What is the weather in Oslo?"}],
            tools=[WEATHER_TOOL, TIME_TOOL], tool_choice="required", max_tokens=60, temperature=0)
        c = ChatCompletion.model_validate(json.loads(raw.http_response.text))
        choice = c.choices[0]
        expect(choice.finish_reason == "tool_calls", choice.finish_reason)
        call = choice.message.tool_calls[0]
        expect(call.type == "function" and call.id and call.function.name in ("get_weather", "get_time"), call)
        json.loads(call.function.arguments)
        named = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": "Weather in Oslo?"}], tools=[WEATHER_TOOL, TIME_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}}, max_tokens=60, temperature=0.7, seed=3)
        ncall = named.choices[0].message.tool_calls[0]
        expect(ncall.function.name == "get_weather", ncall)
        valid_weather_arguments(ncall.function.arguments)
        follow = self.client.chat.completions.create(
            model=self.model, max_tokens=20, temperature=0, tools=[WEATHER_TOOL], tool_choice="auto",
            messages=[{"role": "user", "content": "Weather in Oslo?"},
                      {"role": "assistant", "content": None, "tool_calls": [ncall.model_dump()]},
                      {"role": "tool", "tool_call_id": ncall.id, "content": "12 degrees, rain"}])
        msg = follow.choices[0].message
        expect(msg.content is not None or msg.tool_calls, msg)
        none = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": "Hi"}],
                                                   tools=[WEATHER_TOOL], tool_choice="none", max_tokens=8, temperature=0)
        expect(none.choices[0].message.tool_calls is None, "tool_choice none made a call")

    @check("tools: streamed deltas")
    def tools_stream(self):
        deltas = []
        for chunk in self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": "Weather in Lima?"}], tools=[WEATHER_TOOL],
                tool_choice="required", max_tokens=60, temperature=0, stream=True):
            ChatCompletionChunk.model_validate(chunk.model_dump())
            if chunk.choices and chunk.choices[0].delta.tool_calls:
                deltas.extend(chunk.choices[0].delta.tool_calls)
            if chunk.choices and chunk.choices[0].finish_reason:
                expect(chunk.choices[0].finish_reason == "tool_calls", chunk.choices[0].finish_reason)
        expect(deltas, "no tool call deltas")
        first = deltas[0]
        expect(first.index == 0 and first.id and first.type == "function" and first.function.name == "get_weather", first)
        pieces = [d.function.arguments for d in deltas if d.function and d.function.arguments]
        expect(len(pieces) >= 2, f"arguments came in {len(pieces)} piece(s)")
        valid_weather_arguments("".join(pieces))

    @check("structured output: chat.completions.parse and json_object")
    def structured(self):
        class City(pydantic.BaseModel):
            name: str
            country: str
            population: int

        parsed = self.client.chat.completions.parse(
            model=self.model, messages=[{"role": "user", "content": "Describe Paris as JSON."}], response_format=City,
            max_tokens=80, temperature=0)
        city = parsed.choices[0].message.parsed
        expect(isinstance(city, City), parsed.choices[0].message)
        j = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": "Give me a JSON object."}],
                                                response_format={"type": "json_object"}, max_tokens=40, temperature=0)
        if j.choices[0].finish_reason == "stop":
            expect(isinstance(json.loads(j.choices[0].message.content), dict), j.choices[0].message.content)

    @check("text completions")
    def completions(self):
        raw = self.client.completions.with_raw_response.create(model=self.model, prompt="The capital of France is", max_tokens=6,
                                                              temperature=0, logprobs=2, echo=True)
        c = Completion.model_validate(json.loads(raw.http_response.text))
        expect(c.object == "text_completion" and c.choices[0].text.startswith("The capital of France is"), c)
        expect(len(c.choices[0].logprobs.tokens) == c.usage.completion_tokens, c.choices[0].logprobs)
        streamed = "".join(ch.choices[0].text for ch in self.client.completions.create(
            model=self.model, prompt="The capital of France is", max_tokens=6, temperature=0, stream=True) if ch.choices)
        expect(c.choices[0].text == "The capital of France is" + streamed, f"{c.choices[0].text!r} vs {streamed!r}")

    @check("embeddings: base64 (client default) and float")
    def embeddings(self):
        if not self.embedding_model:
            raise AssertionError("no --embeddings model given")
        raw = self.http.post("/v1/embeddings", json={"model": self.embedding_model, "input": ["a cat", "a dog"], "encoding_format": "base64"})
        decoded_body = raw.json()
        for item in decoded_body["data"]:  # the client's type holds floats: decode as the client does
            item["embedding"] = list(struct.unpack(f"<{len(base64.b64decode(item['embedding'])) // 4}f", base64.b64decode(item["embedding"])))
        body = CreateEmbeddingResponse.model_validate(decoded_body)
        expect(isinstance(raw.json()["data"][0]["embedding"], str), "base64 not a string")
        default = self.client.embeddings.create(model=self.embedding_model, input=["a cat", "a dog"])  # base64 on the wire
        floats = self.client.embeddings.create(model=self.embedding_model, input=["a cat", "a dog"], encoding_format="float")
        expect(len(default.data) == 2 and len(default.data[0].embedding) == 384, len(default.data[0].embedding))
        for a, b in zip(default.data, floats.data):
            expect(max(abs(x - y) for x, y in zip(a.embedding, b.embedding)) < 1e-6, "base64 and float differ")
        decoded = struct.unpack("<384f", base64.b64decode(raw.json()["data"][0]["embedding"]))
        expect(abs(sum(x * x for x in decoded) - 1) < 1e-4, "not unit length")
        expect(body.usage.prompt_tokens > 0, body.usage)
        one = self.client.embeddings.create(model=self.embedding_model, input="a cat", encoding_format="float")
        expect(max(abs(x - y) for x, y in zip(one.data[0].embedding, floats.data[0].embedding)) < 1e-5, "batch vs single")

    @check("errors: types, bodies and status codes")
    def errors(self):
        def raises(kind, fn, status):
            try:
                fn()
            except kind as e:
                expect(e.status_code == status, f"{kind.__name__}: status {e.status_code}")
                body = e.response.json()
                expect(set(body["error"]) >= {"message", "type", "param", "code"}, body)
                return body["error"]
            raise AssertionError(f"no {kind.__name__}")
        err = raises(openai.NotFoundError, lambda: self.client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "x"}]), 404)
        expect(err["code"] == "model_not_found", err)
        err = raises(openai.BadRequestError, lambda: self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": "x"}], temperature=5), 400)
        expect(err["param"] == "temperature", err)
        raises(openai.BadRequestError, lambda: self.client.chat.completions.create(model=self.model, messages=[]), 400)
        err = raises(openai.BadRequestError, lambda: self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": "x"}], max_tokens=10_000_000), 400)
        raises(openai.BadRequestError, lambda: self.client.chat.completions.create(
            model=self.model, messages=[{"role": "wizard", "content": "x"}]), 400)
        for body, ctype in [(b"{not json", "application/json"), (b'{"model": 3, "messages": "x"}', "application/json"),
                            (b"[]", "application/json"), (b"", "application/json")]:
            r = self.http.post("/v1/chat/completions", content=body, headers={"content-type": ctype})
            expect(r.status_code == 400 and "error" in r.json(), f"{body!r}: {r.status_code} {r.text}")
        r = self.http.post("/v1/chat/completions", content=b"x" * (9 << 20), headers={"content-type": "application/json"})
        expect(r.status_code == 413, f"oversized body: {r.status_code}")
        r = self.http.get("/v1/no-such-route")
        expect(r.status_code == 404, r.status_code)
        r = self.http.get("/v1/chat/completions")
        expect(r.status_code == 405, r.status_code)
        expect(self.http.get("/health").json()["status"] == "ok", "server unhealthy after bad requests")

    # -- Anthropic ------------------------------------------------------------------------------

    @check("anthropic: messages, stream, tool use")
    def anthropic_messages(self):
        raw = self.anthropic.messages.with_raw_response.create(
            model=self.model, max_tokens=20, system="Be brief.", messages=[{"role": "user", "content": "Hello"}], extra_body=GREEDY)
        m = Message.model_validate(json.loads(raw.http_response.text))
        expect(m.role == "assistant" and m.content[0].type == "text" and m.stop_reason in ("end_turn", "max_tokens"), m)
        with self.anthropic.messages.stream(model=self.model, max_tokens=20, system="Be brief.", extra_body=GREEDY,
                                            messages=[{"role": "user", "content": "Hello"}]) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
        expect(text == m.content[0].text, f"stream {text!r} != {m.content[0].text!r}")
        expect(final.usage.output_tokens == m.usage.output_tokens, final.usage)
        tool = {"name": "get_weather", "description": "Weather in a city", "input_schema": WEATHER_TOOL["function"]["parameters"]}
        t = self.anthropic.messages.create(model=self.model, max_tokens=60, tools=[tool], tool_choice={"type": "any"},
                                           messages=[{"role": "user", "content": "Weather in Rome?"}])
        expect(t.stop_reason == "tool_use" and t.content[0].type == "tool_use", t)
        valid_weather_arguments(json.dumps(t.content[0].input))
        with self.anthropic.messages.stream(model=self.model, max_tokens=60, tools=[tool], tool_choice={"type": "tool", "name": "get_weather"},
                                            messages=[{"role": "user", "content": "Weather in Rome?"}]) as stream:
            final = stream.get_final_message()
        expect(final.content[0].type == "tool_use", final.content)
        valid_weather_arguments(json.dumps(final.content[0].input))
        try:
            self.anthropic.messages.create(model="nope", max_tokens=5, messages=[{"role": "user", "content": "x"}])
            raise AssertionError("no error for an unknown model")
        except anthropic.NotFoundError as e:
            expect(e.response.json()["type"] == "error", e.response.text)

    # -- Saved models, operations ---------------------------------------------------------------

    @check("predict: JSON, CSV and MLflow formats")
    def predict(self):
        info = self.http.get(f"/v1/models/{self.predict_model}").json()
        names = [c["name"] for c in info["inputs"]]
        row = [0.0 if c["type"] == "number" else c["categories"][0] for c in info["inputs"]]
        a = self.http.post(f"/v1/models/{self.predict_model}/predict", json={"columns": names, "data": [row, row]}).json()
        expect(len(a["predictions"]) == 2, a)
        record = dict(zip(names, row))
        b = self.http.post(f"/v1/models/{self.predict_model}/predict", json={"instances": [record]}).json()
        expect(b["predictions"][0] == a["predictions"][0], (a, b))
        for body in ({"dataframe_split": {"columns": names, "data": [row]}}, {"dataframe_records": [record]},
                     {"instances": [record]}, {"inputs": {k: [v] for k, v in record.items()}}):
            r = self.http.post(f"/invocations?model={self.predict_model}", json=body)
            expect(r.status_code == 200 and r.json()["predictions"] == a["predictions"][:1], (body, r.text))
        csv = ",".join(names) + "\n" + ",".join(str(v) for v in row) + "\n"
        c = self.http.post(f"/v1/models/{self.predict_model}/predict", content=csv, headers={"content-type": "text/csv"}).json()
        expect(c["predictions"] == a["predictions"][:1], c)
        bad = dict(record)
        numeric = next(c["name"] for c in info["inputs"] if c["type"] == "number")
        bad[numeric] = "abc"
        r = self.http.post(f"/v1/models/{self.predict_model}/predict", json={"instances": [bad]})
        expect(r.status_code == 400 and numeric in r.json()["error"]["message"], r.text)
        missing = {k: v for k, v in record.items() if k != numeric}
        r = self.http.post(f"/v1/models/{self.predict_model}/predict", json={"instances": [missing]})
        expect(r.status_code == 400 and numeric in r.json()["error"]["message"], r.text)
        r = self.http.post("/v1/models/no-such-model/predict", json={"instances": [record]})
        expect(r.status_code == 404, r.status_code)

    @check("health, metrics, openapi")
    def operations(self):
        h = self.http.get("/health").json()
        expect(h["status"] == "ok" and h["llm"] == self.model, h)
        metrics = self.http.get("/metrics").text
        for name in ("swiftlearn_http_requests_total", "swiftlearn_http_request_seconds_bucket", "swiftlearn_generated_tokens_total",
                     "swiftlearn_queue_depth"):
            expect(name in metrics, f"{name} missing from /metrics")
        spec = self.http.get("/openapi.json").json()
        expect(spec["openapi"].startswith("3.") and "/v1/chat/completions" in spec["paths"], list(spec))
        page = self.http.get("/")
        expect(page.status_code == 200 and "<title>SwiftLearn server</title>" in page.text, page.status_code)

    @check("API keys")
    def keys(self, binary, llm):
        port = free_port()
        proc = subprocess.Popen([binary, "serve", "--llm", llm, "--port", str(port), "--api-key", "sk-test-123"],
                                stderr=subprocess.PIPE, text=True)
        try:
            wait_ready(proc, port)
            base = f"http://127.0.0.1:{port}"
            wrong = openai.OpenAI(base_url=base + "/v1", api_key="sk-wrong", max_retries=0)
            try:
                wrong.models.list()
                raise AssertionError("a wrong key was accepted")
            except openai.AuthenticationError as e:
                expect(e.status_code == 401, e.status_code)
            right = openai.OpenAI(base_url=base + "/v1", api_key="sk-test-123", max_retries=0)
            expect(right.models.list().data[0].id == self.model, "right key refused")
            expect(httpx.get(base + "/health").status_code == 200, "/health needs no key")
        finally:
            stop(proc, timeout=30)

    @check("slow and aborted clients; graceful shutdown")
    def robustness(self, binary, llm):
        port = free_port()
        proc = subprocess.Popen([binary, "serve", "--llm", llm, "--port", str(port)], stderr=subprocess.PIPE, text=True)
        try:
            wait_ready(proc, port)
            base = f"http://127.0.0.1:{port}"
            # A client that opens a stream and goes away: the server cancels that generation.
            with httpx.stream("POST", base + "/v1/chat/completions", timeout=60,
                              json={"model": self.model, "messages": [{"role": "user", "content": "Write a long story."}],
                                    "max_tokens": 400, "stream": True}) as r:
                for _ in zip(range(3), r.iter_lines()):
                    pass
            # A client that sends half a body and stalls, and one that sends garbage bytes.
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"mo")
            g = socket.create_connection(("127.0.0.1", port))
            g.sendall(b"\x00\xff garbage \r\n\r\n")
            started = time.time()
            ok = httpx.post(base + "/v1/chat/completions", timeout=120,
                            json={"model": self.model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4})
            expect(ok.status_code == 200, ok.text)
            expect(time.time() - started < 60, "a cancelled generation held the model")
            s.close()
            g.close()
            # Graceful shutdown: a long request in flight finishes; the process exits 0.
            result = {}

            def long_request():
                result["r"] = httpx.post(base + "/v1/chat/completions", timeout=120,
                                         json={"model": self.model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 40,
                                               "temperature": 0})
            t = threading.Thread(target=long_request)
            t.start()
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            t.join(timeout=120)
            expect(result.get("r") is not None and result["r"].status_code == 200, result.get("r") and result["r"].text)
            expect(proc.wait(timeout=60) == 0, f"exit status {proc.returncode}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=".build/release/swiftlearn")
    p.add_argument("--llm", required=True)
    p.add_argument("--embeddings")
    p.add_argument("--model-file", help="NAME=PATH of a saved model")
    args = p.parse_args()
    model = os.path.splitext(os.path.basename(args.llm))[0]
    embedding_model = os.path.basename(args.embeddings.rstrip("/")) if args.embeddings else None
    port = free_port()
    cmd = [args.binary, "serve", "--llm", args.llm, "--port", str(port)]
    if args.embeddings:
        cmd += ["--embeddings", args.embeddings]
    predict_model = None
    if args.model_file:
        cmd += ["--model-file", args.model_file]
        predict_model = args.model_file.split("=", 1)[0]
    log = open(os.environ.get("SERVE_LOG", os.devnull), "w")
    proc = subprocess.Popen(cmd, stderr=log)
    try:
        wait_ready(proc, port)
        suite = Suite(f"http://127.0.0.1:{port}", model, embedding_model, predict_model, None)
        suite.models()
        suite.chat()
        suite.chat_options()
        suite.logprobs()
        suite.stream()
        suite.tools()
        suite.tools_stream()
        suite.structured()
        suite.completions()
        if embedding_model:
            suite.embeddings()
        suite.errors()
        suite.anthropic_messages()
        if predict_model:
            suite.predict()
        suite.operations()
    finally:
        stop(proc)
    suite.keys(args.binary, args.llm)
    suite.robustness(args.binary, args.llm)
    print(f"\n{len(PASSED)} checks passed, {len(FAILURES)} failed (openai {openai.__version__}, anthropic {anthropic.__version__})")
    for name, error in FAILURES:
        print(f"  {name}: {error}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
