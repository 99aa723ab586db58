"""``skillforge serve``: the skill library over MCP (official ``mcp`` SDK v2, extra ``skillforge-distill[mcp]``).

Tools (read-only, closed-world): ``search_skills(query, k)`` returns ranked pointers (name,
description, score, ``skill://`` URI, SKILL.md path, why); ``get_skill(name)`` returns one body wrapped
in ``<skill_content>``. Resources: ``skill://{name}``. stdio by default; ``--http`` serves streamable
HTTP on 127.0.0.1. Nothing but protocol goes to stdout: diagnostics use :mod:`logging` (stderr).
"""

# no ``from __future__ import annotations``: the SDK reads the tools' annotations at definition time
from pathlib import Path
from typing import Annotated, Any

from skillforge.errors import SkillforgeError

INSTRUCTIONS = (
    "Call search_skills with the user's task at the start of a non-trivial coding task, "
    "then get_skill on the best match and follow it."
)
# the tools' descriptions as the model reads them (a docstring would keep its source indentation)
SEARCH_SKILLS = (
    "Find skills (procedures learnt from this team's past agent sessions) that fit a coding task. "
    "Call this at the start of a non-trivial task. Returns ranked pointers; call get_skill to load one. "
    "An empty list means no skill fits."
)
GET_SKILL = (
    "Return one skill's SKILL.md instructions (front matter stripped) wrapped in <skill_content>. "
    "Pass a name that search_skills returned."
)


def build_server(library: Path) -> Any:
    """An MCPServer answering from ``library`` (the index is loaded once and refreshed on change)."""
    try:
        from mcp.server import MCPServer
    except ImportError:
        raise SkillforgeError(
            "skillforge serve needs the MCP SDK", "pip install 'skillforge-distill[mcp]'"
        ) from None
    from skillforge.route import Router

    router = Router(library)
    from skillforge import __version__

    server = MCPServer("skillforge", version=__version__, instructions=INSTRUCTIONS)
    _add_tools(server, router)
    return server


def _add_tools(server: Any, router: Any) -> None:
    """The read-only tools and the ``skill://`` resource, answering from ``router``."""
    from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
    from mcp.types import ToolAnnotations
    from pydantic import Field

    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(title="Search skills", description=SEARCH_SKILLS, annotations=read_only)
    def search_skills(
        query: Annotated[
            str, Field(description="The task in the user's words, plus files or tools involved.")
        ],
        k: Annotated[int, Field(ge=1, le=10, description="How many skills to return.")] = 3,
    ) -> list[dict[str, Any]]:
        """Ranked pointers to the skills that fit ``query`` (see SEARCH_SKILLS)."""
        from skillforge.route.render import pointer

        router.refresh()
        hits = router.route(query, k=k, cwd=None)
        return [dict(pointer(m), uri=f"skill://{m.name}") for m in hits]

    @server.tool(title="Load skill", description=GET_SKILL, annotations=read_only)
    def get_skill(name: Annotated[str, Field(description="A skill name returned by search_skills.")]) -> str:
        """One skill's body in <skill_content> (see GET_SKILL)."""
        try:
            return _body(router, name)
        except SkillforgeError as exc:  # unknown or withheld: the model sees the reason, not a crash
            raise ToolError(str(exc)) from None

    @server.resource("skill://{name}", mime_type="text/markdown", description="A skill's SKILL.md body.")
    def skill_resource(name: str) -> str:
        try:
            return _body(router, name)
        except SkillforgeError as exc:  # the client reads the reason; the server logs no traceback
            missing = router.index.position(name) is None
            raise (ResourceNotFoundError if missing else ResourceError)(str(exc)) from None

    _ = (search_skills, get_skill, skill_resource)


def _body(router: Any, name: str) -> str:
    from skillforge.route.render import Body, skill_content

    router.refresh()
    if router.index.position(name) is None:  # not router.body's error: it names the library's path
        raise SkillforgeError(f"no skill named {name!r} in the library", "call search_skills to find one")
    text = router.body(name)  # SkillforgeError for a withheld skill -> a tool error
    return skill_content(Body.of(name, text, router.index.paths[router.index.position(name)]))


def run(library: Path, *, http: bool = False, port: int = 8000) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)  # stderr only
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    server = build_server(library)
    if http:
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()
