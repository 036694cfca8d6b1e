"""The list pages share `core/list_page.html`: their column headings belong in the table, and
nowhere else on the page (a block named like base.html's `head` once printed them above the
site's header)."""

import re

import pytest
from django.urls import reverse

LISTS = [
    "portfolio:project_list",
    "portfolio:innovation_list",
    "cases:case_list",
    "standards:assessment_list",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_a_list_page_puts_its_column_headings_in_its_table_only(client, admin_user, name):
    client.force_login(admin_user)

    page = client.get(reverse(name)).content.decode()

    head = re.search(r"<head>(.*?)</head>", page, re.S).group(1)
    assert "<th" not in head
