#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# html-query.py: read an HTML page of `mmp ui` the way a browser parses it
#
#   html-query.py FILE text ID          the text of the element with id ID
#   html-query.py FILE count SEL        how many elements match SEL
#   html-query.py FILE texts SEL        the text of each match, one a line
#   html-query.py FILE attr SEL NAME    attribute NAME of each match
#   html-query.py FILE scripts          the src of every <script>, and
#                                       "INLINE" for a script with a body
#
# SEL is "tag", "tag.class", "#id", "tag#id" or "tag[attr=value]",
# optionally "SEL SEL" for a descendant.
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


# elements whose text is separated from their neighbours' by a space
CELLS = {"td", "th", "tr", "li", "dt", "dd", "p", "div", "caption"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def all_text(self):
        out = []
        for c in self.text:
            if isinstance(c, str):
                out.append(c)
            elif c.tag in CELLS:
                out.append(" " + c.all_text() + " ")
            else:
                out.append(c.all_text())
        return "".join(out)


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.nodes = []

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.text.append(n)
        self.nodes.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.text.append(n)
        self.nodes.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is self.root:
            sys.exit("html-query: stray </%s> at %s" % (tag, self.getpos()))
        if n is not self.cur:
            sys.exit("html-query: </%s> closes <%s> at %s" %
                     (tag, self.cur.tag, self.getpos()))
        self.cur = n.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def simple(node, sel):
    m = re.fullmatch(r"([a-z0-9]*)(?:\.([\w-]+))?(?:#([\w-]+))?"
                     r"(?:\[([\w-]+)=([^\]]*)\])?", sel)
    if not m:
        sys.exit("html-query: bad selector " + sel)
    tag, cls, ident, an, av = m.groups()
    if tag and node.tag != tag:
        return False
    if cls and cls not in (node.attrs.get("class") or "").split():
        return False
    if ident and node.attrs.get("id") != ident:
        return False
    if an and node.attrs.get(an) != av:
        return False
    return True


def match(node, parts):
    if not simple(node, parts[-1]):
        return False
    if len(parts) == 1:
        return True
    p = node.parent
    while p is not None:
        if match(p, parts[:-1]):
            return True
        p = p.parent
    return False


def main():
    f, what = sys.argv[1], sys.argv[2]
    t = Tree()
    with open(f, encoding="utf-8") as fh:
        t.feed(fh.read())
    t.close()
    if what == "scripts":
        for n in t.nodes:
            if n.tag == "script":
                print(n.attrs.get("src") or "INLINE")
                if n.all_text().strip():
                    print("INLINE")
        return
    if what == "text":
        found = [n for n in t.nodes if n.attrs.get("id") == sys.argv[3]]
        if not found:
            sys.exit("html-query: no element with id " + sys.argv[3])
        print(" ".join(found[0].all_text().split()))
        return
    sel = sys.argv[3].split()
    found = [n for n in t.nodes if match(n, sel)]
    if what == "count":
        print(len(found))
    elif what == "texts":
        for n in found:
            print(" ".join(n.all_text().split()))
    elif what == "attr":
        for n in found:
            print(n.attrs.get(sys.argv[4], ""))
    else:
        sys.exit("html-query: unknown query " + what)


main()
