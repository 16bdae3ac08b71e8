"""The web app: the editors' review desk (server-rendered pages) and the portal read API.

`crawler.web.app.create_app` is the factory; `crawler.web.deps` is the contract routers use.
"""
