"""In a real browser: headless Chromium loads a page from one 127.0.0.1 origin that fetches a
presigned URL from moto's server (another origin). AWSCors' verdict must equal whether the
browser could read the bytes. CI must run this; outside CI it skips when Chromium is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from provisioner import validate
from provisioner.vendors import resolve_vendor

from .conftest import BUCKET, EXTERNAL_ID
from .test_validate import setup_role

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)", pytrace=False)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

KEY = "alexa-devices/echo/echo-1.jpg"
PAGE = """<!doctype html><html><body><div id="result">pending</div><script>
fetch(%r).then(r => r.arrayBuffer())
  .then(b => { document.getElementById('result').textContent = 'read:' + b.byteLength; })
  .catch(e => { document.getElementById('result').textContent = 'blocked:' + e; });
</script></body></html>"""


@pytest.fixture
def page_server():
    """Serves one page (set per test) from http://127.0.0.1:PORT."""
    holder = {"html": ""}

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = holder["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", holder
    server.shutdown()


def browser_reads(origin: str, holder: dict, url: str) -> tuple[bool, str]:
    holder["html"] = PAGE % url
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=5000",
                "--dump-dom",
                origin + "/",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    dom = result.stdout
    shown = re.search(r'<div id="result">(.*?)</div>', dom)
    assert shown, result.stderr[-2000:]
    assert shown.group(1) != "pending", "the page's fetch did not finish"
    read = shown.group(1).startswith("read:")
    if not read:
        # A blocked fetch and a dead server look alike to the page: Chromium's console says which.
        assert "blocked by CORS policy" in result.stderr, (dom, result.stderr[-3000:])
    return read, dom


CASES = [
    (
        "a rule for the page's origin",
        lambda origin: [{"AllowedOrigins": [origin], "AllowedMethods": ["GET"]}],
    ),
    ("no CORS rules", lambda origin: None),
    (
        "a rule for another origin",
        lambda origin: [{"AllowedOrigins": ["https://app.labelbox.com"], "AllowedMethods": ["GET"]}],
    ),
    (
        "a wildcard origin rule",
        lambda origin: [{"AllowedOrigins": ["http://127.0.0.*"], "AllowedMethods": ["GET"]}],
    ),
]


@pytest.mark.parametrize(("what", "rules"), CASES, ids=[c[0] for c in CASES])
def test_cors_verdict_equals_what_the_browser_can_read(box, make_aws, customer, page_server, what, rules):
    origin, holder = page_server
    setup_role(make_aws, with_cors=False)
    configured = rules(origin)
    if configured is None:
        customer.s3.delete_bucket_cors(Bucket=BUCKET)
    else:
        customer.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": configured})
    vendor = resolve_vendor(
        principal="arn:aws:iam::340636424752:role/lb-aws-delegated-access-role",
        origins=[origin],
    )
    target = validate.ValidateSpec(
        role_arn="arn:aws:iam::123456789012:role/LabelboxS3Access",
        external_id=EXTERNAL_ID,
        bucket=BUCKET,
        vendor=vendor,
    )
    verdict = {c.name: c for c in validate.validate(make_aws(), target).checks}["AWSCors"]
    url = customer.s3.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": KEY}, ExpiresIn=900
    )
    read, dom = browser_reads(origin, holder, url)
    assert (verdict.status == "pass") == read, (verdict, dom)
