"""`make sandbox` / `python -m sandbox.providers`: fake WhatsApp providers for `make demo`.

Two servers on 127.0.0.1, one state:
- :8010 plays the Graph API (`ATALAIA_GRAPH_BASE_URL=http://127.0.0.1:8010/v23.0`);
- :8011 plays Evolution API v2 (`ATALAIA_GATEWAY_API_ORIGINS=http://127.0.0.1:8011`) and serves
  the page with the buttons (http://127.0.0.1:8011/).
`make demo` sets both variables; a plain `atalaia demo` or `serve` never trusts the sandbox.
There is no option to listen elsewhere than 127.0.0.1: the sandbox accepts any customer text and
sends webhooks on request, which is fine on one's own machine and nowhere else.
"""

from __future__ import annotations

import argparse
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from typing import Final

from sandbox.evolution_api import evolution_handler
from sandbox.graph_api import graph_handler
from sandbox.state import SandboxState

HOST: Final = "127.0.0.1"
GRAPH_PORT: Final = 8010
EVOLUTION_PORT: Final = 8011
ATALAIA_URL: Final = "http://127.0.0.1:8000"  # `make demo`'s console and ATALAIA_PUBLIC_URL default


@contextmanager
def running_sandbox(
    *,
    graph_port: int = GRAPH_PORT,
    evolution_port: int = EVOLUTION_PORT,
    atalaia_url: str = ATALAIA_URL,
    api_key: str | None = None,
) -> Iterator[SandboxState]:
    """Both servers in background threads (port 0: any free port); stopped on exit."""
    state = SandboxState(api_key=api_key or "sandbox-" + secrets.token_hex(12), atalaia_url=atalaia_url.rstrip("/"))
    graph = ThreadingHTTPServer((HOST, graph_port), graph_handler(state))
    try:
        evolution = ThreadingHTTPServer((HOST, evolution_port), evolution_handler(state))
    except OSError:
        graph.server_close()
        raise
    state.graph_base_url = f"http://{HOST}:{graph.server_address[1]}/v23.0"
    state.evolution_base_url = f"http://{HOST}:{evolution.server_address[1]}"
    threads = [threading.Thread(target=s.serve_forever, daemon=True, name="sandbox") for s in (graph, evolution)]
    for thread in threads:
        thread.start()
    try:
        yield state
    finally:
        for server in (graph, evolution):
            server.shutdown()
            server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sandbox", description="Fake Graph API and Evolution API for the demo.")
    parser.add_argument("--graph-port", type=int, default=GRAPH_PORT)
    parser.add_argument("--evolution-port", type=int, default=EVOLUTION_PORT)
    parser.add_argument("--atalaia-url", default=ATALAIA_URL, help="Where Cloud API webhooks go.")
    parser.add_argument("--api-key", default=None, help="Evolution's global API key (default: random).")
    args = parser.parse_args(argv)
    with running_sandbox(graph_port=args.graph_port, evolution_port=args.evolution_port,
                         atalaia_url=args.atalaia_url, api_key=args.api_key) as state:  # fmt: skip
        print("Provedores de teste (sandbox) — só para a demonstração, nunca com dados reais")
        print(f"  página e botões:      {state.evolution_base_url}/")
        print(f"  Evolution API:        {state.evolution_base_url}  chave da API: {state.api_key}")
        print(f"  Graph API:            {state.graph_base_url}")
        print(f"  webhooks Cloud API →  {state.atalaia_url}/webhooks/cloud")
        print("Ctrl+C para parar.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print()


if __name__ == "__main__":
    main()
