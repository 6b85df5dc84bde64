"""The README's code runs: every Python block is a program, run as a file against a sandbox.

Also pinned here: the README's model table against the models, and its pytest
example in a user's project under pytest-asyncio's strict and auto modes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import vapay
from vapay.sandbox import Sandbox

pytest_plugins = ["pytester"]

README = Path(__file__).parent.parent / "README.md"
TEXT = README.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)


def block_starting(text: str) -> str:
    (block,) = [b for b in BLOCKS if text in b]
    return block


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_every_python_block_compiles(source: str) -> None:
    """Each Python example is valid Python (top-level await allowed in snippets)."""
    compile(source, "README.md", "exec", flags=0x2000)  # PyCF_ALLOW_TOP_LEVEL_AWAIT


@pytest.fixture(name="sandbox_env")
def _sandbox_env() -> Iterator[dict[str, str]]:
    """A sandbox served by `python -m vapay.sandbox` and the VAPAY_* lines it printed."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vapay.sandbox",
            "--port",
            "0",
            "--accounts",
            "5",
            "--virtual-accounts",
            "6",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        env = dict(os.environ)
        while not {"VAPAY_BASE_URL", "VAPAY_CLIENT_SECRET"} <= env.keys() - os.environ.keys():
            line = server.stdout.readline()
            assert line, "the sandbox exited before printing its URL"
            name, _, value = line.strip().partition("=")
            if name.startswith("VAPAY_"):
                env[name] = value
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def run(
    source: str, env: dict[str, str] | None = None, *args: str, strict: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run *source* as a program file with *args*; *strict*: every warning an error (an
    unclosed aiohttp session's ResourceWarning too)."""
    flags = ["-W", "error"] if strict else []
    with tempfile.TemporaryDirectory() as directory:
        program = Path(directory) / "recipe.py"
        program.write_text(source)
        return subprocess.run(  # noqa: S603 - our own README's code
            [sys.executable, *flags, str(program), *args],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def account_ids(env: dict[str, str]) -> list[str]:
    """The sandbox's account ids, listed by a small program."""
    result = run(
        "import asyncio, vapay\n"
        "async def main():\n"
        "    async with vapay.Client() as client:\n"
        "        for a in await client.accounts.list().collect(): print(a.id)\n"
        "asyncio.run(main())\n",
        env,
        strict=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_quickstart_runs_against_the_sandbox(sandbox_env: dict[str, str]) -> None:
    """The quickstart creates, reads, deactivates and lists without an error."""
    result = run(block_starting("async for page in pager.pages():"), sandbox_env, strict=True)

    assert (result.returncode, result.stderr) == (0, "")
    assert " inactive" in result.stdout.splitlines()[0]


def test_the_per_call_recipe_shows_each_response(sandbox_env: dict[str, str]) -> None:
    """with_options and capture_responses: one line per call, the listing's page included."""
    first = account_ids(sandbox_env)[0]

    result = run(block_starting("capture_responses()"), sandbox_env, first, strict=True)

    assert (result.returncode, result.stderr) == (0, "")
    head, get, page = result.stdout.splitlines()
    assert head.startswith(f"{first} ")
    assert get.startswith(f"GET /api/v1.0/accounts/{first} None 200 1 application/json")
    assert page.startswith(f"GET /api/v1.0/virtual-accounts/{first} 1 200 1 ")


def test_the_reconciliation_recipe_exports_every_virtual_account(
    sandbox_env: dict[str, str],
) -> None:
    """The bulk recipe writes one CSV row per seeded virtual account, totals per currency."""
    result = run(
        block_starting("client.accounts.list(per_page=100), kind=kind"), sandbox_env, strict=True
    )

    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("account_id,id,number")
    assert len(rows) == 1 + 5 * 6
    totals = result.stderr.splitlines()[:-1]
    assert totals
    assert all(re.fullmatch(r"\w+: \d+\.\d+ IDR", line) for line in totals), totals


def test_the_worker_recipe_deactivates_the_accounts_it_is_given(
    sandbox_env: dict[str, str],
) -> None:
    """The worker pool, run with two ids, deactivates both and ends cleanly."""
    ids = account_ids(sandbox_env)[:2]

    result = run(
        block_starting("patient = client.with_options(max_retries=5)"),
        sandbox_env,
        *ids,
        strict=True,
    )

    assert (result.returncode, result.stderr, result.stdout) == (0, "", "done: 2 accounts\n")


def test_the_middleware_recipe_times_each_attempt(sandbox_env: dict[str, str]) -> None:
    """The timing middleware prints one line per API call, token requests excluded."""
    result = run(block_starting("middlewares=[timing]"), sandbox_env, strict=True)

    assert (result.returncode, result.stderr) == (0, "")
    assert re.fullmatch(r"GET /api/v1\.0/accounts 200 \d+\.\d{3}s\n", result.stdout)


def test_the_error_example_prints_what_the_readme_shows(sandbox_env: dict[str, str]) -> None:
    """The 422 example prints exactly the two lines the README quotes."""
    (shown,) = re.findall(r"\nprints\n\n```\n(.*?)```", TEXT, flags=re.DOTALL)

    result = run(block_starting('create(name="ab")'), sandbox_env, strict=True)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == shown


def test_the_sandbox_example_runs_on_its_own() -> None:
    """The direct Sandbox example needs no server or credentials."""
    result = run(block_starting("Sandbox(accounts=50"), strict=True)

    assert (result.returncode, result.stderr) == (0, "")
    same, count, path, tokens = result.stdout.splitlines()
    assert (same, path, tokens) == ("True", "/api/v1.0/accounts", "1")
    assert int(count) > 0


def test_the_fastapi_recipe_answers_found_missing_and_bad_ids(
    sandbox_env: dict[str, str],
) -> None:
    """The FastAPI app answers 200, 404, and 422 (not 500) for an id vapay refuses."""
    first = account_ids(sandbox_env)[0]
    # The app driven as an ASGI server would: its lifespan, then three requests.
    drive = f"""

import asyncio
from urllib.parse import unquote


async def status_of(raw_path):
    sent = []

    async def receive():
        return {{"type": "http.request", "body": b"", "more_body": False}}

    async def send(message):
        sent.append(message)

    scope = {{
        "type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": unquote(raw_path), "raw_path": raw_path.encode(),
        "query_string": b"", "headers": [], "server": ("test", 80), "client": ("test", 1),
        "root_path": "",
    }}
    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


async def drive():
    async with app.router.lifespan_context(app):
        for raw_path in ("/accounts/{first}", "/accounts/no-such-account", "/accounts/%20"):
            print(await status_of(raw_path))


asyncio.run(drive())
"""
    result = run(block_starting("async def show_account(") + drive, sandbox_env, strict=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "404", "422"]


def test_the_aiohttp_recipe_opens_and_closes_one_client(sandbox_env: dict[str, str]) -> None:
    """The aiohttp app's cleanup context opens a working client and closes it on cleanup."""
    drive = """
import asyncio

async def main():
    runner = web.AppRunner(app)
    await runner.setup()
    client = app[CLIENT]
    print(len(await client.accounts.list().collect()))
    await runner.cleanup()
    try:
        await client.accounts.list().collect()
    except RuntimeError as err:
        print("closed:", err)

asyncio.run(main())
"""
    result = run(
        block_starting("app.cleanup_ctx.append(vapay_client)") + drive, sandbox_env, strict=True
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "5",
        "closed: Cannot send a request: the client has been closed.",
    ]


@pytest.mark.parametrize(
    "ini",
    [
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n",
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
    ],
    ids=["strict", "auto"],
)
def test_the_pytest_example_passes_in_a_user_project(pytester: pytest.Pytester, ini: str) -> None:
    """The README's tests pass as written, with only the installed plugins, in either mode."""
    pytester.makeini(ini)
    pytester.makepyfile(test_vapay_example=block_starting("def test_deactivating_an_account"))

    result = pytester.runpytest("-W", "error", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


def _shown(annotation: object) -> str:
    """A type as the README's model table spells it."""
    if annotation is type(None):
        return "None"
    if isinstance(annotation, typing.TypeVar):
        return annotation.__name__
    if isinstance(annotation, types.UnionType):
        return " | ".join(map(_shown, typing.get_args(annotation)))
    origin = typing.get_origin(annotation)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(map(_shown, typing.get_args(annotation)))}]"
    return str(getattr(annotation, "__name__", annotation))


MODELS = [
    vapay.Account,
    vapay.VirtualAccount,
    vapay.VATransaction,
    vapay.Money,
    vapay.Fee,
    vapay.Bank,
    vapay.Balance,
    vapay.Pagination,
    vapay.Page,
]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_the_model_table_states_every_field_and_its_type(model: type) -> None:
    """The README's row for a model lists each field, in order, with its type and None-ness."""
    (row,) = re.findall(rf"^\| `{model.__name__}(?:\[T\])?` \| (.*?) \| .* \|$", TEXT, re.MULTILINE)
    listed = re.findall(r"`(\w+): (.*?)`", row.replace("\\|", "|"))
    hints = typing.get_type_hints(model)

    assert listed == [(f.name, _shown(hints[f.name])) for f in attrs.fields(model)]


# --- Receiving payment notifications ------------------------------------------------

WEBHOOK_SECRET = "readme-recipe-client-secret"
PAYMENT_BODY = json.loads(
    (Path(__file__).parent / "data" / "webhook-vectors.json").read_text(encoding="utf-8")
)["vectors"][1]["raw_body"].encode()

# Posts the documented payment twice (two signed deliveries, as a retry would be), then
# a forged one, then a body past the bound; waits until the queue is worked through.
DELIVERIES = """
import time

from vapay._webhook_signing import signed_headers

BODY = PAYMENT_BODY_LITERAL


def deliveries():
    signed = [
        signed_headers(
            BODY, endpoint=ENDPOINT, secret=SECRETS[0], api_key="k", timestamp=int(time.time())
        )
        for _ in range(2)
    ]
    forged = {**signed[0], "X-Signature": "0" * 128}
    too_big = b'{"a": "' + b"x" * vapay.webhooks.MAX_BODY_BYTES + b'"}'
    return [(BODY, signed[0]), (BODY, signed[1]), (BODY, forged), (too_big, forged)]
"""

AIOHTTP_DRIVER = """
import aiohttp


async def main():
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        for body, headers in deliveries():
            url = f"http://127.0.0.1:{port}/hooks/va?source=prod"
            async with session.post(url, data=body, headers=headers) as response:
                print(response.status, await response.text())
    await app[EVENTS].join()
    await runner.cleanup()


asyncio.run(main())
"""

FASTAPI_DRIVER = """
import httpx


async def main():
    async with api.router.lifespan_context(api):
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for body, headers in deliveries():
                response = await client.post("/hooks/va?source=prod", content=body, headers=headers)
                print(response.status_code, response.text)
        await api.state.events.join()


asyncio.run(main())
"""


def run_recipe(framework_block: str, driver: str) -> list[str]:
    """The shared recipe, one framework's, and a driver, run; the lines printed."""
    source = "\n".join(
        [
            block_starting("async def accept("),
            block_starting(framework_block),
            DELIVERIES.replace("PAYMENT_BODY_LITERAL", repr(PAYMENT_BODY)),
            driver,
        ]
    )
    result = run(source, {**os.environ, "VAPAY_CLIENT_SECRET": WEBHOOK_SECRET})
    assert result.returncode == 0, result.stderr
    return [line.strip() for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("framework_block", "driver", "too_big"),
    [
        ('app.router.add_post("/hooks/va", receive)', AIOHTTP_DRIVER, "413"),
        ('@api.post("/hooks/va")', FASTAPI_DRIVER, "413 bad_body"),
    ],
    ids=["aiohttp", "fastapi"],
)
def test_a_webhook_recipe_takes_a_payment_once_and_refuses_a_forgery(
    framework_block: str, driver: str, too_big: str
) -> None:
    """Two deliveries of one payment are queued once; a forgery and a huge body are refused."""
    lines = run_recipe(framework_block, driver)

    statuses = [line for line in lines if not line.startswith("paid")]
    assert statuses[:3] == ["200", "200", "400 bad_signature"]
    assert statuses[3].startswith(too_big)
    assert [line for line in lines if line.startswith("paid")] == [
        "paid 3211120250926133543246 INV-2026-001 100000"
    ]


def test_the_taking_payments_recipe_opens_a_va_and_reads_its_balance(
    sandbox_env: dict[str, str],
) -> None:
    """The recipe opens a VA for its invoice, finds no payment yet, and reads the balance."""
    result = run(block_starting('merchant_reff_no="INV-2026-0001"'), sandbox_env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"pay 150000(\.0+)? IDR to VA [0-9]+", lines[0])
    assert lines[1:] == ["available 0.00 pending 0.00"]


@pytest.mark.parametrize("live", [False, True], ids=["seed-listing", "live-listing"])
async def test_the_create_once_recipe_finds_a_va_whose_answer_was_lost(live: bool) -> None:
    """When the create's answer is lost, the recipe returns the VA it opened: exactly one.

    The seed page's VA listing carries no merchant_reff_no, the live API's does.
    """
    namespace: dict[str, object] = {}
    exec(block_starting("async def open_va_once("), namespace)  # noqa: S102 - our README
    open_va_once = namespace["open_va_once"]
    async with Sandbox(accounts=1, virtual_accounts_per_account=0, live=live) as sandbox:
        account_id = sandbox.state.accounts[0].id
        sandbox.truncate_next(route="virtual_accounts.create")  # opened, answer cut
        async with vapay.Client(**sandbox.client_options()) as client:
            va = await open_va_once(  # type: ignore[operator]
                client, account_id, "INV-9", bank_code="BRI", kind="permanent", amount=20_000
            )

        assert va.merchant_reff_no == "INV-9"
        assert sandbox.state.count("virtual_accounts.create") == 1
        assert [v.id for v in sandbox.state.expected_virtual_accounts(account_id)] == [va.id]


async def test_the_library_reconciliation_recipe_runs_against_the_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`nightly()` walks every account's payments of its window into one report."""
    namespace: dict[str, object] = {}
    exec(block_starting("async def nightly("), namespace)  # noqa: S102 - our README
    sandbox = Sandbox(accounts=3, virtual_accounts_per_account=6, seed=2)
    async with sandbox, vapay.Client(**sandbox.client_options()) as client:
        report = await namespace["nightly"](client, namespace["invoices"])  # type: ignore[operator]

    assert (report.invoices, report.unpaid.count) == (1, 1)
    assert report.unexpected.count == report.payments
    assert capsys.readouterr().out.count("VATransaction(") == report.unexpected.count


SANDBOX_DRIVER = """
import vapay
from vapay.sandbox import Sandbox


async def main():
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    sandbox = Sandbox(
        client_secret=SECRETS[0],
        webhook_url=f"http://127.0.0.1:{port}{ENDPOINT}",
        webhook_retry_interval=0.01,
    )
    async with sandbox, vapay.Client(**sandbox.client_options()) as client:
        account_id = sandbox.state.accounts[0].id
        va = await client.virtual_accounts.create(
            account_id, bank_code="BRI", kind="permanent", amount=150_000,
            merchant_reff_no="INV/README/1",
        )
        sandbox.duplicate_next_delivery()
        tx = await sandbox.pay(account_id, va.number)
        deliveries = await sandbox.drain_deliveries()
    print("delivered", *[d.status for d in deliveries])
    print("transaction", tx.transaction_id)
    await app[EVENTS].join()
    await runner.cleanup()


asyncio.run(main())
"""


def test_the_aiohttp_recipe_takes_a_sandbox_payment_once() -> None:
    """A real sandbox pay(), delivered twice to the recipe, is verified and queued once."""
    lines = run_recipe('app.router.add_post("/hooks/va", receive)', SANDBOX_DRIVER)

    (transaction_id,) = [line.split()[1] for line in lines if line.startswith("transaction ")]
    assert "delivered 200 200" in lines
    assert [line for line in lines if line.startswith("paid")] == [
        f"paid {transaction_id} INV/README/1 150000"
    ]
