#!/usr/bin/env python3
"""End-to-end tests of `sotto serve` through the official `openai` Python client (PyPI), unchanged
except for base_url, plus raw HTTP for what the client cannot do (a disconnect, a huge
Content-Length, SIGTERM). Run by scripts/test.sh after the Swift tests; needs a release build
(`.build/release/sotto`), tiny.en from scripts/setup.sh and ../shared/data/dev beside the checkout.

Prints the latencies it measures (idle short clip, the same clip during a 5-minute file, cache hits).
"""
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave

import openai

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "sotto")
DEV = os.environ.get("SOTTO_DEV_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data", "dev"))
JFK = os.path.join(DEV, "audio", "en_jfk.wav")
SHORT = os.path.join(DEV, "audio", "en_librivox_sense_sensibility_0880.wav")  # 2.99 s
LONG_SOURCE = os.path.join(DEV, "audio", "en_long_dev_concat.wav")  # 46 s
JFK_WORDS = "ask not what your country can do for you"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def five_minute_wav(directory):
    """The 46 s dev file repeated to 5 minutes: the long request of the fairness and drain tests."""
    with wave.open(LONG_SOURCE) as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    path = os.path.join(directory, "long5min.wav")
    repeats = int(300 * params.framerate * params.sampwidth * params.nchannels / len(frames)) + 1
    with wave.open(path, "wb") as out:
        out.setparams(params)
        out.writeframes((frames * repeats)[: 300 * params.framerate * params.sampwidth * params.nchannels])
    return path


class Server:
    def __init__(self, *flags, model="tiny.en", threads=2):
        self.port = free_port()
        self.model = model
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [BINARY, "serve", "--model", model, "--port", str(self.port), "--threads", str(threads), *flags],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            assert self.process.poll() is None, f"server exited: {self.output()}"
            try:
                if self.get("/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("server not ready in 120 s")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()

    def metric(self, line_prefix):
        for line in self.get("/metrics")[1].splitlines():
            if line.startswith(line_prefix + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def wait_until_running(self, timeout=60):
        """Until the model's scheduler has started a job (its first window is under way)."""
        deadline = time.time() + timeout
        while self.metric('sotto_active_sequences{model="tiny.en"}') < 1:
            assert time.time() < deadline, "no job started"
            time.sleep(0.05)

    def client(self):
        return openai.OpenAI(base_url=self.base + "/v1", api_key="sotto", max_retries=0, timeout=600)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def multipart(path, fields=()):
    boundary = "sotto-test"
    body = io.BytesIO()
    for name, value in fields:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{os.path.basename(path)}"\r\n\r\n'.encode())
    with open(path, "rb") as f:
        body.write(f.read())
    body.write(f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def post(server, path, fields=(), route="/v1/audio/transcriptions"):
    body, content_type = multipart(path, fields)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    connection.request("POST", route, body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    return response.status, response.read().decode()


def variant(path, index):
    """The file's bytes with the last sample's low byte changed: the same speech, a different cache key."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[-2] = (data[-2] + index) % 256
    return bytes(data)


def timed_transcription(client, data):
    start = time.perf_counter()
    client.audio.transcriptions.create(model="tiny.en", file=("clip.wav", data))
    return time.perf_counter() - start


def test_openai_client(server):
    client = server.client()
    assert [m.id for m in client.models.list().data] == ["tiny.en"]
    with open(JFK, "rb") as f:
        result = client.audio.transcriptions.create(model="tiny.en", file=f)
    assert JFK_WORDS in result.text.lower(), result.text
    for fmt, check in [("text", lambda r: JFK_WORDS in r.lower()),
                       ("srt", lambda r: r.startswith("1\n00:00:00,000 --> ")),
                       ("vtt", lambda r: r.startswith("WEBVTT"))]:
        with open(JFK, "rb") as f:
            response = client.audio.transcriptions.create(model="tiny.en", file=f, response_format=fmt)
        assert check(response), (fmt, response)
    with open(JFK, "rb") as f:
        verbose = client.audio.transcriptions.create(
            model="tiny.en", file=f, response_format="verbose_json", timestamp_granularities=["segment"],
            language="en", temperature=0.0, prompt="President Kennedy.")
    assert verbose.language == "english" and verbose.duration == 11.0, verbose
    segment = verbose.segments[0]
    assert segment.id == 0 and segment.start == 0.0 and segment.tokens and segment.avg_logprob < 0
    assert 0 <= segment.no_speech_prob <= 1 and segment.compression_ratio > 0 and segment.temperature == 0.0
    with open(LONG_SOURCE, "rb") as f:
        events = list(client.audio.transcriptions.create(model="tiny.en", file=f, stream=True))
    kinds = [e.type for e in events]
    assert kinds[-1] == "transcript.text.done" and set(kinds[:-1]) == {"transcript.text.delta"}, kinds
    assert len(kinds) > 3, kinds
    assert "".join(e.delta for e in events[:-1]).strip() == events[-1].text
    print(f"openai client: json, text, srt, vtt, verbose_json, stream ({len(kinds) - 1} deltas): ok")


def test_word_timestamps(server):
    """timestamp_granularities=["word"] through the openai client and raw HTTP."""
    client = server.client()
    with open(JFK, "rb") as f:
        verbose = client.audio.transcriptions.create(
            model="tiny.en", file=f, response_format="verbose_json", timestamp_granularities=["word"])
    words = verbose.words
    assert words and JFK_WORDS in " ".join(w.word for w in words).lower(), words
    assert all(0 <= w.start <= w.end <= verbose.duration for w in words), words
    assert [w.start for w in words] == sorted(w.start for w in words), words
    assert not getattr(verbose, "segments", None), "segments sent though only words were asked for"
    status, body = post(server, JFK, fields=[("response_format", "verbose_json"),
                                             ("timestamp_granularities[]", "word"),
                                             ("timestamp_granularities[]", "segment")])
    both = json.loads(body)
    assert status == 200 and len(both["words"]) == len(words) and both["segments"], (status, body[:500])
    assert all(set(w) == {"word", "start", "end"} for w in both["words"]), both["words"][:3]
    assert [w["word"] for w in both["words"]] == [w.word for w in words]
    status, body = post(server, JFK, fields=[("timestamp_granularities[]", "word")])
    assert status == 400 and json.loads(body)["error"]["param"] == "timestamp_granularities[]", (status, body)
    print(f"word timestamps: {len(words)} words (openai client, raw HTTP with segments), 400 without verbose_json: ok")


def test_openai_client_errors(server):
    client = server.client()
    with open(JFK, "rb") as f:
        try:
            client.audio.transcriptions.create(model="no-such-model", file=f)
            raise AssertionError("unknown model accepted")
        except openai.NotFoundError as error:
            assert error.body["code"] == "model_not_found", error.body
    try:
        client.audio.transcriptions.create(model="tiny.en", file=("noise.wav", b"RIFF not really audio"))
        raise AssertionError("bad audio accepted")
    except openai.BadRequestError as error:
        assert error.body["param"] == "file", error.body
    with open(JFK, "rb") as f:
        try:
            client.audio.transcriptions.create(model="tiny.en", file=f, response_format="xml")
            raise AssertionError("bad format accepted")
        except openai.BadRequestError as error:
            assert error.body["param"] == "response_format", error.body
    # An English-only model cannot translate: 400, not English text passed off as a translation.
    with open(JFK, "rb") as f:
        try:
            client.audio.translations.create(model="tiny.en", file=f)
            raise AssertionError("translation on tiny.en accepted")
        except openai.BadRequestError as error:
            assert error.body["code"] == "translation_not_supported" and error.body["param"] == "model", error.body
    status, body = post(server, JFK, route="/v1/audio/translations")
    error = json.loads(body)["error"]
    assert status == 400 and error["code"] == "translation_not_supported", (status, body)
    assert set(error) == {"message", "type", "param", "code"} and error["type"] == "invalid_request_error", error
    # 413 from the headers alone: the server answers before a byte of the body is sent.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("POST", "/v1/audio/transcriptions")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(100 * 1_000_000))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413, response.status
    assert json.loads(response.read())["error"]["code"] == "upload_too_large"
    print("errors: 404 unknown model, 400 bad audio, 400 bad format, 400 translation on tiny.en "
          "(client and raw HTTP), 413 before the body: ok")


def test_fairness_and_cache(server, long_path):
    client = server.client()
    timed_transcription(client, variant(SHORT, 1))  # warm caches and the allocator
    idle = sorted(timed_transcription(client, variant(SHORT, i)) for i in (2, 3, 4))[1]
    results = {}
    long_thread = threading.Thread(target=lambda: results.update(long=post(server, long_path)))
    long_thread.start()
    server.wait_until_running()
    time.sleep(0.5)
    during = timed_transcription(client, variant(SHORT, 5))
    long_thread.join()
    assert results["long"][0] == 200, results["long"]
    print(f"fairness: 2.99 s clip idle {idle * 1000:.0f} ms, during a 5-minute file {during * 1000:.0f} ms "
          f"({during / idle:.2f}x)")
    assert during <= 3 * idle, (idle, during)
    hits = []
    for _ in range(50):
        start = time.perf_counter()
        with open(SHORT, "rb") as f:
            client.audio.transcriptions.create(model="tiny.en", file=f)
        hits.append(time.perf_counter() - start)
    hits.sort()
    p50, p99 = hits[len(hits) // 2], hits[int(len(hits) * 0.99) - 1]
    print(f"cache hit: P50 {p50 * 1000:.1f} ms, P99 {p99 * 1000:.1f} ms (openai client, loopback)")
    assert server.metric("sotto_cache_hits_total") >= 50


def test_disconnect_cancels(server, long_path):
    body, content_type = multipart(long_path, [("language", "en"), ("prompt", "disconnect")])
    audio_before = server.metric('sotto_audio_seconds_total{model="tiny.en"}')
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    server.wait_until_running()
    sock.close()
    deadline = time.time() + 10
    while server.metric('sotto_errors_total{type="client_closed"}') < 1:
        assert time.time() < deadline, "the job was not cancelled after the client left"
        time.sleep(0.05)
    # The scheduler drops the job at the end of the turn under way (at most half a window).
    deadline = time.time() + 30
    while server.metric('sotto_active_sequences{model="tiny.en"}') != 0:
        assert time.time() < deadline, "the cancelled job still holds its sequence"
        time.sleep(0.05)
    # The 5-minute file never finished.
    assert server.metric('sotto_audio_seconds_total{model="tiny.en"}') == audio_before
    print("disconnect: the job was dropped: ok")


def test_sigterm_drains():
    server = Server("--drain-seconds", "120")
    try:
        results = {}
        worker = threading.Thread(target=lambda: results.update(long=post(server, LONG_SOURCE)))
        worker.start()
        server.wait_until_running()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        status, body = post(server, SHORT)
        assert status == 503 and json.loads(body)["error"]["code"] == "draining", (status, body)
        assert server.get("/health")[0] == 503
        worker.join()
        assert results["long"][0] == 200, results["long"]
        assert server.process.wait(timeout=60) == 0, server.output()
        print("SIGTERM: new work 503, accepted request finished 200, exit status 0: ok")
    finally:
        server.stop()


def main():
    assert os.path.exists(BINARY), f"build first: {BINARY}"
    with tempfile.TemporaryDirectory() as directory:
        long_path = five_minute_wav(directory)
        server = Server()
        try:
            test_openai_client(server)
            test_word_timestamps(server)
            test_openai_client_errors(server)
            test_fairness_and_cache(server, long_path)
            test_disconnect_cancels(server, long_path)
        except BaseException:
            print(server.output()[-4000:], file=sys.stderr)
            raise
        finally:
            server.stop()
    test_sigterm_drains()
    print("server tests passed")


if __name__ == "__main__":
    main()
