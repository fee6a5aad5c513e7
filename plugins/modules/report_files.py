# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.report_files runs on the controller (plugins/action/report_files.py).

DOCUMENTATION = r"""
module: report_files
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Write report files on the controller, as outputs of the run (never a change)
description:
  - Writes a set of text files on the controller in one task - the plan (C(plan.json), C(plan.md), C(firewall.csv),
    C(report.html)), the drift reports and the validation reports of the collection's roles - without a module run
    per file.
  - Each file is written atomically (a temporary file in the same directory, then a rename), so a reader
    never sees half a report; missing parent directories are created (C(0755)). A file that already has
    the content is left alone.
  - A report is an output of the run, not a change of a host, so the task always reports C(changed=false),
    on the first run in a new directory too; RV(written) says which files were (re)written.
  - The host of the task is never contacted, whatever its connection; no C(delegate_to) is needed.
  - Every file goes inside a folder the user named (O(base_dir), O(plan_dir), else the file's own folder), which may be
    a symbolic link (resolved once), and is refused inside a directory given as an inventory source. The folders
    below it are created one at a time and each is refused when it is a symbolic link, owned by another user
    (not root) or writable by group or others without the sticky bit; an existing file that is a symbolic link, a
    FIFO or a device is refused, never written through (docs/security.md).
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description:
          - Where, on the controller; a relative path is relative to O(base_dir) when it is given, else to the current
            directory. Inside O(base_dir) when it is given.
          - Give exactly one of O(files[].path) and O(files[].parts).
        type: str
      parts:
        description:
          - The names of the file's folders and of the file below O(base_dir) (needed), each a plain file name (no
            C(/), C(\\), control or format characters, not C(.) or C(..), not starting with C(.) or C(-)), so a host or
            pool name in a path is never split or resolved.
          - Give exactly one of O(files[].path) and O(files[].parts).
        type: list
        elements: str
        version_added: 0.5.0
      content:
        description:
          - The text, written as UTF-8 exactly as given (add the final newline yourself).
          - Give exactly one of O(files[].content), O(files[].firewall_csv) and O(files[].html_report).
        type: str
      firewall_csv:
        description:
          - A pool plan's C(firewall) section (C({groups, rules})); the file gets its flat per-address export
            (C(firewall.csv), one line per rule and address pair), generated and written in chunks so its size
            never has to fit in a task argument.
          - Give exactly one of O(files[].content), O(files[].firewall_csv) and O(files[].html_report).
        type: dict
        version_added: 0.4.0
      html_report:
        description:
          - The file gets the HTML Edge Admin Report of a pool (C(report.html), docs/html-report.md) - one
            self-contained page with the network diagram, the tables of the plan and the status of the drift and
            validation reports found beside it (C(drift/<host>.json), C(validate/<host>.json) in the directory of
            O(files[].path)).
          - It is generated when it is written, so not at all in check mode.
          - Without O(files[].html_report.plan) (the page refreshed from the files on disk), a C(report.html) newer
            than everything it is made from (C(plan.json), the C(drift) and C(validate) folders and their files)
            is left as it is, not rendered again, and listed in RV(unchanged).
          - Give exactly one of O(files[].content), O(files[].firewall_csv) and O(files[].html_report).
        type: dict
        version_added: 0.4.0
        suboptions:
          plan:
            description:
              - The pool plan (a value of the P(sfb.edge.plan#filter) filter's result).
              - Omit it to read the C(plan.json) beside O(files[].path); when there is none (no plan written
                yet), the file is not written and is listed in RV(without_plan).
            type: dict

  plans:
    description:
      - The plan of every pool (the output of P(sfb.edge.plan#filter), or the handle of it that
        P(sfb.edge.plan#filter) gives with C(store=true)). For each pool, writes C(<O(plan_dir)>/<pool FQDN>/plan.json)
        (the pool plan as indented JSON with sorted keys), C(plan.md) (P(sfb.edge.plan_report#filter)) and
        C(firewall.csv) (as O(files[].firewall_csv)) and C(report.html) (as O(files[].html_report)) - rendered here, so the plan never travels through a task
        argument as text.
      - Needs O(plan_dir); give O(files), O(plans) or both.
    type: raw
    version_added: 0.4.0
  plan_dir:
    description: Where O(plans) goes (a relative path is relative to the current directory).
    type: str
    version_added: 0.4.0
  base_dir:
    description:
      - The folder O(files) go into, as the user named it (a symbolic link is resolved once); every file must be
        inside it. Refused inside a directory given as an inventory source.
      - Default, each file's own folder.
    type: str
    version_added: 0.5.0
  mode:
    description: The permissions of the files, as an octal string.
    type: raw
    default: "0644"
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description:
      - In check mode nothing is written (RV(not_written) lists the files). Set C(check_mode=false) on the task
        to write the reports of a check run too, as the drift and validation roles do (a check run's drift
        report is what the run is for); the plan role writes nothing in check mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
notes:
  - The contents are never part of the result (not even with C(-v)); the roles only give it reports that hold
    no secret (no certificate password, no PFX data).
"""

EXAMPLES = r"""
- name: Write the drift report
  sfb.edge.report_files:
    files:
      - path: "{{ plan_dir }}/{{ pool }}/drift/{{ inventory_hostname }}.json"
        content: "{{ drift_result | ansible.builtin.to_nice_json(indent=2) }}\n"
  check_mode: false

- name: Refresh the HTML report of the pool from the plan.json and the reports beside it
  sfb.edge.report_files:
    files:
      - path: "{{ plan_dir }}/{{ pool }}/report.html"
        html_report: {}
  check_mode: false
"""

RETURN = r"""
changed:
  description: Always V(false) - report files are outputs, not changes.
  returned: always
  type: bool
written:
  description: The absolute paths of the files written by this task (new or with a new content).
  returned: always
  type: list
  elements: str
unchanged:
  description: The absolute paths of the files that already had the content (not touched).
  returned: always
  type: list
  elements: str
without_plan:
  description: The absolute paths of the O(files[].html_report) files not written because they had no plan (no
    O(files[].html_report.plan) and no C(plan.json) beside them).
  returned: always
  type: list
  elements: str
  version_added: 0.4.0
not_written:
  description: In check mode (without C(check_mode=false)), the paths that were not written.
  returned: always
  type: list
  elements: str
"""
