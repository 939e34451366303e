"""The axe check itself: it reports `landmark-unique` (a best-practice rule, outside the WCAG
tags the check selects), so two regions named by one heading fail a journey."""

import pytest
from playwright.sync_api import Page

from .conftest import axe_check, visit

pytestmark = pytest.mark.e2e


def test_two_regions_with_one_name_fail_the_check(page: Page, live_server):
    visit(page, f"{live_server.url}/anmelden/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
                '<section aria-labelledby="h-dup"><h2 id="h-dup">Heute</h2>' +
                '<div role="region" aria-labelledby="h-dup" tabindex="0"><p>x</p></div></section>');
        }"""
    )
    with pytest.raises(pytest.fail.Exception, match="landmark-unique"):
        axe_check(page)
    page.evaluate("() => document.querySelector('section[aria-labelledby=\"h-dup\"]').remove()")
    axe_check(page)
