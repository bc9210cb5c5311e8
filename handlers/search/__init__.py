"""Search and connections (issue 14): `/qi-commons search` (commands.py, routed from handlers/commands/qi_commons.py),
the Home's search box, "More results" and "Ask a quick question" (actions.py, registered from handlers/__init__.py),
and the suggestions shown when a project starts or a mentor is asked (offer.py).

Empty on purpose: /find-mentor shows connections and "Ask" reuses /find-mentor's delivery, so importing the
listeners from here would import mentoring back.
"""
