# Vendored front-end packages at pinned versions: `make frontend` refreshes static/vendor/ from the npm
# registry. Only the built files are kept, so the repository needs no node_modules and no build step.
NHSUK_FRONTEND_VERSION := 10.6.1
HTMX_VERSION := 2.0.11
NHSUK_DIR := static/vendor/nhsuk-frontend-$(NHSUK_FRONTEND_VERSION)
HTMX_DIR := static/vendor/htmx-$(HTMX_VERSION)

.PHONY: frontend

# The CSS asks for icons at /assets/; pointing it at its own folder lets staticfiles serve and hash them.
# Source-map comments are dropped because the maps are not vendored and collectstatic would fail on them.
# The @font-face rules are dropped: they fetch Frutiger from assets.nhs.uk (NHS.UK does not publish it for
# vendoring), and nothing is fetched from outside (tests/core/test_no_external_hosts.py); text is set in Arial.
frontend:
	@command -v npm >/dev/null || { echo "npm is needed to refresh the vendored front end"; exit 1; }
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" \
		nhsuk-frontend@$(NHSUK_FRONTEND_VERSION) htmx.org@$(HTMX_VERSION) >/dev/null; \
	mkdir -p "$$tmp/nhsuk" "$$tmp/htmx"; \
	tar -xzf "$$tmp/nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).tgz" -C "$$tmp/nhsuk"; \
	tar -xzf "$$tmp/htmx.org-$(HTMX_VERSION).tgz" -C "$$tmp/htmx"; \
	src="$$tmp/nhsuk/package/dist/nhsuk"; \
	rm -rf $(NHSUK_DIR) $(HTMX_DIR); mkdir -p $(NHSUK_DIR)/assets/images $(HTMX_DIR); \
	sed -e 's#url(/assets/#url(assets/#g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' -e 's#@font-face{[^}]*}##g' \
		"$$src/nhsuk-frontend.min.css" > $(NHSUK_DIR)/nhsuk-frontend.min.css; \
	sed -e 's#//\# sourceMappingURL=.*$$##' "$$src/nhsuk-frontend.min.js" > $(NHSUK_DIR)/nhsuk-frontend.min.js; \
	cp "$$src"/assets/images/*.svg "$$src"/assets/images/favicon.ico "$$src"/assets/images/nhsuk-icon-180.png \
		$(NHSUK_DIR)/assets/images/; \
	sed -e 's#//\# sourceMappingURL=.*$$##' "$$tmp/htmx/package/dist/htmx.min.js" > $(HTMX_DIR)/htmx.min.js; \
	cp "$$tmp/htmx/package/LICENSE" $(HTMX_DIR)/
	@du -sh $(NHSUK_DIR) $(HTMX_DIR)
