"""The `/qi-commons` router (qi_commons.py) and what every command listener shares (context.py).

Empty on purpose: features import `handlers.commands.context`, and importing the router from here
would import every feature back.
"""
