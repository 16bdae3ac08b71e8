"""The web app: the editors' review desk (server-rendered pages) and the portal read API and feeds.

Layout (one job per module; imports flow down this list, and no router imports `app`):
- app.py assembles the routers, the security headers and the error pages (`create_app`);
- desk pages: login.py (session), queue.py (review queue), items.py (one item, decisions),
  admin.py (history, sources, users, audit), sharing desk.py (router rule, roles, messages);
- templating.py holds the Jinja environment and `render`; auth.py logins, sessions, roles;
  csrf.py the CSRF check; passwords.py hashing and policy;
- portal: portal.py (``/api/v1`` and `install`), feeds.py (Atom, iCalendar), sharing public.py
  (config, public records, filters, rate limit) and schemas.py (response models);
- deps.py is the contract every router uses (settings, database session, request-value bounds);
- commands: cli.py (``ewsi serve``, ``ewsi users``), tokens_cli.py, digest.py, export.py.
"""
