"""A Jira issue moved to another project: a new key, the old key still finds
it (GET and JQL, no redirect, as Jira documents), and ``jira:issue_updated``
carries the ``Key`` and ``project`` changelog items."""

from __future__ import annotations

from sandbox_jira_helpers import cloud_client, story


def test_a_moved_issue_is_found_by_its_old_key_under_the_new_one(cloud, receiver):
    cloud.load([story("PLAT-4"), story("WEB-1")])
    cloud.set_webhook(receiver.url)
    new_key = cloud.move_issue("PLAT-4", "WEB")
    assert new_key == "WEB-2"
    jira = cloud_client(cloud)
    assert jira.issue("PLAT-4").key == "WEB-2"
    found = jira.enhanced_search_issues('key in ("PLAT-4")', json_result=True)
    assert [issue["id"] for issue in found["issues"]] == [jira.issue("WEB-2").id]
    cloud.flush_webhooks()
    [delivery] = [d.json() for d in cloud.deliveries]
    assert delivery["webhookEvent"] == "jira:issue_updated"
    assert delivery["issue"]["key"] == "WEB-2"
    items = {item["field"]: item for item in delivery["changelog"]["items"]}
    assert (items["Key"]["fromString"], items["Key"]["toString"]) == ("PLAT-4", "WEB-2")
    assert (items["project"]["fromString"], items["project"]["toString"]) == ("PLAT", "WEB")
