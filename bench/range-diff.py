#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""range-diff.py UPSTREAM_DIR BACKPORT_DIR VERSION: how each patch of a
backport differs from its upstream patch, as "git range-diff" shows it but
without a repository that holds both bases: patch by patch, in series
order, "=" for a patch taken as it is (the same message and hunks, at
other lines maybe) and for one that was adjusted, the diff of the two:
its message, then each file's removed and added lines, the context of
the hunks left out ("context only" when nothing else differs).  An adjusted patch must
say why in its message, on a line "[ VERSION backport: ... ]".  Exits 1, after the text, when the two series
do not pair up patch for patch or an adjusted patch has no such line."""
import difflib
import os
import re
import sys


def series(d):
    """The patches of series directory d, in order (lib.sh series_patches)."""
    listing = os.path.join(d, "series")
    if os.path.exists(listing):
        names = [l.split("#")[0].strip() for l in open(listing)]
        return [os.path.normpath(os.path.join(d, n)) for n in names if n]
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if re.match(r"\d{4}-.*\.patch$", n) and not n.startswith("0000-"))


def parse(path, note_re):
    """(subject, normalised lines, has a backport note) of a format-patch file."""
    text = open(path).read()
    head, body = text.split("\n\n", 1)
    subj = re.search(r"^Subject: (?:\[[^\]]*\] )?(.*(?:\n .*)*)", head, re.M).group(1)
    subj = re.sub(r"\n ", " ", subj)
    # The signature git adds after the last hunk is no part of the change.
    body = re.split(r"\n-- \n", body)[0]
    msg, _, code = body.partition("\ndiff --git ")
    lines, note = [], False
    for line in msg.split("\n"):
        if note_re.match(line):
            note = True
        elif not re.match(r" \S.* \| +\d+( [+-]*)?$| \d+ files? changed|---$", line):
            lines.append(line)
    # The whole diff, for telling whether the upstream patch applies as it
    # is (blob ids and hunk positions left out), and each file's removed
    # lines, then its added lines, for showing what the backport changed:
    # what the patch takes out of the base and puts in, whatever the
    # context around them and however diff aligned its hunks in each base.
    full, changes = list(lines), list(lines)
    for f in re.split(r"^diff --git ", "diff --git " + code, flags=re.M)[1:]:
        flines = f.split("\n")
        changes.append("diff --git " + flines[0])
        hunks = [l for l in flines[1:] if not l.startswith("index ")]
        full += ["diff --git " + flines[0]] + [re.sub(r"^@@ .* @@.*", "@@", l) for l in hunks]
        hunks = [l for l in hunks if not re.match(r"(--- |\+\+\+ |@@ )", l)]
        changes += [l for l in hunks if l.startswith("-")]
        changes += [l for l in hunks if l.startswith("+")]
    return subj, full, changes, note


def main():
    up_dir, bp_dir, version = sys.argv[1:4]
    note_re = re.compile(r"^\[ %s backport: .* \]$" % re.escape(version))
    up, bp = series(up_dir), series(bp_dir)
    rc = 0
    if len(up) != len(bp):
        print(f"! {len(up)} patches upstream, {len(bp)} in the backport")
        rc = 1
    for i, (u, b) in enumerate(zip(up, bp), 1):
        us, ufull, uchanges, _ = parse(u, note_re)
        bs, bfull, bchanges, note = parse(b, note_re)
        if us != bs:
            print(f"{i:04d} ! upstream \"{us}\" is \"{bs}\" in the backport")
            rc = 1
            continue
        if ufull == bfull:
            print(f"{i:04d} = {bs}")
            continue
        print(f"{i:04d} ! {bs}" + (" (context only)" if uchanges == bchanges else ""))
        if not note:
            print(f"     (no \"[ {version} backport: ... ]\" line says why)")
            rc = 1
        for line in list(difflib.unified_diff(uchanges, bchanges, lineterm="", n=1))[2:]:
            print("     " + re.sub(r"^@@ .* @@$", "@@", line))
    return rc


if __name__ == "__main__":
    sys.exit(main())
