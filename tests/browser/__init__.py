"""Browser journeys: headless Chromium through Playwright, with axe-core on every page."""
