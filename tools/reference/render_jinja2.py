"""Render one template with Jinja2 as charmhelpers sets it up for OpenStack
charms, and print the rendered bytes (nothing added).

    render_jinja2.py TEMPLATES_DIR TEMPLATE CONTEXT.json

The environment is charmhelpers' (`Environment(loader=...)`, Jinja2's
defaults: no trim_blocks, no lstrip_blocks, the trailing newline dropped,
no autoescape, the default Undefined). The context's objects are read with
their keys sorted, as the Rust engine orders a map's keys.
"""
import json
import sys

from jinja2 import Environment, FileSystemLoader


def main():
    templates_dir, template, context_path = sys.argv[1:4]
    with open(context_path, encoding="utf-8") as f:
        context = json.load(f, object_pairs_hook=lambda pairs: dict(sorted(pairs)))
    env = Environment(loader=FileSystemLoader(templates_dir))
    rendered = env.get_template(template).render(context)
    sys.stdout.buffer.write(rendered.encode("utf-8"))


if __name__ == "__main__":
    main()
