#!/usr/bin/env python3
"""Writes nodeagent(8) from the binary's own --help output, so the man page and the CLI cannot drift apart.

usage: manpage.py NODEAGENT_BINARY > nodeagent.8

Every command and option, and the exit codes, come from `nodeagent --help` and `nodeagent COMMAND --help`
(System.CommandLine's layout: "Description:", "Usage:", "Options:", "Commands:" sections, indented by two spaces,
two or more spaces between a name and its text). Only FILES and SEE ALSO are written here: they name the package's
own paths. The date is SOURCE_DATE_EPOCH's, so the page is reproducible.
"""

import datetime
import os
import re
import subprocess
import sys


def run_help(binary, *command):
    result = subprocess.run([*binary, *command, "--help"], capture_output=True, text=True, check=True,
                            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "10000"})
    return result.stdout


def sections(text):
    """{"Description": [lines], "Options": [lines], ...} with the two-space indent removed."""
    found, current = {}, None
    for line in text.splitlines():
        heading = re.fullmatch(r"([A-Z][A-Za-z ]*):", line)
        if heading:
            current = found.setdefault(heading.group(1), [])
        elif current is not None and line.strip():
            current.append(line[2:] if line.startswith("  ") else line)
    return found


def entries(lines):
    """Name/text pairs of an Options or Commands section; a deeper-indented line continues the text above it."""
    pairs = []
    for line in lines:
        match = re.match(r"(\S.*?)\s{2,}(\S.*)", line)
        if match and not line.startswith(" "):
            pairs.append([match.group(1), match.group(2)])
        elif pairs:
            pairs[-1][1] += "\n" + line.strip()
    return pairs


def roff(text):
    """Text safe for roff: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.split("\n"))


def option_name(name):
    # "-?, -h, --help" and "--config <config>": the switches bold, the value italic.
    switches, _, value = name.partition(" <")
    rendered = "\\fB" + roff(switches) + "\\fR"
    return rendered + (" \\fI<" + roff(value) + "\\fR" if value else "")


def exit_codes(description):
    """The "Exit codes: 0 success; 1 …" sentence as (code, meaning) pairs, and the description without it."""
    kept, codes = [], []
    for line in description:
        if line.startswith("Exit codes:"):
            for part in line[len("Exit codes:"):].split(";"):
                code, _, meaning = part.strip().rstrip(".").partition(" ")
                codes.append((code, meaning))
        else:
            kept.append(line)
    return kept, codes


def tagged(pairs, render_name):
    return "".join(f".TP\n{render_name(name)}\n{roff(text)}\n" for name, text in pairs)


def main():
    binary = sys.argv[1:]
    if not binary:
        sys.exit("usage: manpage.py NODEAGENT_BINARY > nodeagent.8")
    version = subprocess.run([*binary, "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    date = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")

    root = sections(run_help(binary))
    description, codes = exit_codes(root["Description"])
    commands = entries(root["Commands"])

    page = [
        f'.TH NODEAGENT 8 "{date}" "nodeagent {version}" "System Administration"',
        ".SH NAME",
        "nodeagent \\- keeps a sensor host's AWS credentials and containers right",
        ".SH SYNOPSIS",
        "".join(f".B nodeagent {roff(name)}\n.RI [ options ]\n.br\n" for name, _ in commands).rstrip("\n"),
        ".SH DESCRIPTION",
        roff("\n".join(description)),
        ".SH OPTIONS",
        tagged(entries(root["Options"]), option_name).rstrip("\n"),
        ".SH COMMANDS",
    ]
    for name, _ in commands:
        help_sections = sections(run_help(binary, name))
        command_description, command_codes = exit_codes(help_sections["Description"])
        page += [f".SS {roff(help_sections['Usage'][0])}", roff("\n".join(command_description))]
        page.append(tagged(entries(help_sections.get("Options", [])), option_name).rstrip("\n"))
        if command_codes:
            page.append(".PP\nExit status:\n" + tagged(command_codes, lambda code: f"\\fB{code}\\fR").rstrip("\n"))
    page += [
        ".SH EXIT STATUS",
        tagged(codes, lambda code: f"\\fB{code}\\fR").rstrip("\n"),
        ".SH FILES",
        ".TP\n/etc/nodeagent/nodeagent.yaml\nConfiguration; every key is optional and shown there with its default.",
        ".TP\n/opt/deployment/etc/aws/credentials/\nThe sources the deployer uploads: expanso\\-s3\\-credentials, "
        "expanso\\-s3\\-config.json, expanso\\-production.env.",
        ".TP\n/var/lib/nodeagent/last\\-report.json\nThe last report, read by \\fBnodeagent status\\fR.",
        ".TP\n/var/log/nodeagent/\nDaily log files (also in the journal: \\fBjournalctl \\-u nodeagent\\fR).",
        ".SH SEE ALSO",
        "\\fBsystemctl\\fR(1), \\fBjournalctl\\fR(1), /usr/share/doc/nodeagent/README.md",
    ]
    sys.stdout.write("\n".join(part for part in page if part) + "\n")


if __name__ == "__main__":
    main()
