"""Validation rules, one module per concern: ``spec`` (front matter), ``structure`` (size, links,
orphans), ``duplicates`` (across the library), ``content`` (code blocks), ``safety`` (secrets,
injected instructions). Every rule is declared with :func:`~skillforge.skills.rules.base.rule`."""
