"""Every page: a person of agency B never sees or changes agency A's units and people, and
people without the role get 403. The list of covered pages must match the URL configuration."""

import pytest
from django.urls import get_resolver

from tests.conftest import signed_in
from tests.factories import make_person, make_unit

# url name -> how it is exercised below ("object" pages take a pk of agency A's record)
COVERED = {
    "core:home": "own", "core:audit": "own", "core:health": "public", "core:favicon": "public",
    "accounts:login": "public", "accounts:sign_in_code": "public", "accounts:logout": "own", "accounts:totp_setup": "own",
    "accounts:password_change": "own", "accounts:profile": "own", "accounts:token_revoke": "object",
    "org:directory": "shared", "org:agency_create": "operator", "org:agency_detail": "shared", "org:agency_edit": "operator",
    "org:units": "admin", "org:unit_create": "admin", "org:unit_edit": "object",
    "org:people": "admin", "org:person_create": "admin", "org:person_detail": "object", "org:person_edit": "object",
    "org:person_reset_password": "object", "org:person_reset_second_factor": "object", "org:person_unlock": "object",
    "org:import": "admin", "org:import_template": "admin",
    "workflow:calendar": "admin", "workflow:calendar_day_remove": "object", "workflow:deadlines": "admin",
    "workflow:deadline_rule_remove": "object",
    # tests/workflow/test_handling_pages.py: test_another_agency_reaches_no_handling_page (404 for agency B, 403 in agency A
    # without the part) and test_a_confidential_documents_handling_stays_with_its_readers
    "workflow:work": "own", "workflow:assign": "object", "workflow:task_pass_down": "object", "workflow:task_note": "object",
    "workflow:task_return": "object", "workflow:task_extension": "object", "workflow:task_complete": "object",
    "workflow:task_read": "object", "workflow:extension_decide": "object",
    # A leader's view of their units (tests/workflow/test_dashboard.py: test_a_leader_of_another_agency_sees_nothing_of_agency_a,
    # test_people_who_lead_nothing_reach_no_dashboard): 403 without the leader role, only one's own agency's units.
    "workflow:dashboard": "own", "workflow:dashboard_report": "own", "workflow:unit_work": "own",
    # tests/workflow/test_approval_pages.py: test_another_agency_or_a_reader_below_the_clearance_reaches_no_approval_page (404)
    # and test_only_administrators_reach_the_chains_page (403 without the role; another agency's chains are not found)
    "workflow:approval_submit": "object", "workflow:approval_approve": "object", "workflow:approval_return": "object",
    "workflow:approval_edit": "object", "workflow:approval_versions": "object", "workflow:approval_chains": "admin",
    "workflow:approval_chain_edit": "admin", "workflow:approval_chain_remove": "admin",
    # tests/notifications/test_pages.py: only one's own notifications (404 for anyone else's, whatever their agency);
    # the reminder settings are the agency administrators' (403 for others, each agency's own).
    "notifications:list": "own", "notifications:bell": "own", "notifications:read": "object", "notifications:read_all": "own",
    "notifications:preferences": "own", "notifications:policy": "admin",
    # Signing from a document's page: 404 for another agency, 403 in the agency without the part
    # (tests/signing/test_document_signing.py: test_the_page_shows_the_panels_and_verify_again_is_for_readers_only).
    "signing:sign": "object", "signing:seal": "object", "signing:paper": "object", "signing:verify_again": "object",
    # The instance's XML signature policy: its administrators only (tests/signing/test_xml_policy_page.py:
    # test_only_administrators_reach_the_xml_policy_page, 403 for others, nothing changed).
    "signing:xml_policy": "admin",
    # The CA's public status services; its operator pages (403 for all but CA operators, whatever their agency: the CA
    # serves the instance) are checked below and, page by page with POSTs, in tests/pki/test_pages.py
    # (test_only_ca_operators_reach_the_operator_pages); "My certificates" shows only one's own (test_my_certificates_lists_only_ones_own).
    "pki:ca_certificate": "public", "pki:crl": "public", "pki:ocsp": "public", "pki:ocsp_get": "public", "pki:tsa": "public",
    "pki:authorities": "ca-operator", "pki:certificates": "ca-operator", "pki:issue": "ca-operator", "pki:issue_batch": "ca-operator", "pki:certificate": "ca-operator",
    "pki:certificate_download": "ca-operator", "pki:revoke": "ca-operator", "pki:renew": "ca-operator", "pki:operations": "ca-operator",
    "pki:mine": "own",
    # Trusted roots are the instance's; its administrators manage them (test_trusted_roots_are_out_of_reach_of_non_administrators).
    "trust:roots": "admin", "trust:remove": "object",
    # The exchange hub: the network's health is for the instance's operators (test_the_network_page_is_for_operators_only,
    # tests/hub/test_network.py); the node API answers only to node client certificates, never to a session: each
    # node reaches only its own agency's packages (tests/hub/test_node_api.py, tests/hub/test_tls.py).
    "hub:network": "operator", "hub:send_edoc": "node", "hub:received_list": "node", "hub:sent_list": "node",
    "hub:get_edoc": "node", "hub:acknowledge": "node", "hub:count_edoc": "node", "hub:count_status": "node",
    "hub:agencies": "node", "hub:report_status": "node",
    # Received packages are the receiving agency's clerks' (tests/exchange/test_pages.py:
    # test_another_agency_gets_404_and_non_clerks_403, test_an_encrypted_package_is_hidden_from_clerks_without_clearance).
    "exchange:received": "own", "exchange:package": "object", "exchange:register": "object", "exchange:reject": "object",
    "exchange:attachment": "object",
    # Sending again a package given up on: the sending agency's clerks (tests/exchange/test_outbox.py:
    # test_a_clerk_sends_again_a_package_the_exchange_gave_up_on; 404 for other agencies in tests/api/test_api_isolation.py).
    "exchange:resend": "object",
    # Recall, update, replacement: the sender's clerks send them (404 for other agencies and readers without clearance), the
    # receiving agency's clerks accept or refuse (tests/exchange/test_recall_pages.py: test_another_agency_gets_404_...).
    "exchange:recall": "object", "exchange:update": "object", "exchange:replace": "object", "exchange:accept_request": "object", "exchange:refuse_request": "object",
    # Consultations (tests/consultation/test_pages.py: test_respondents_reach_only_their_invitation, 404 for all but the
    # drafting body's staff and each invitation's own respondents; test_another_agency_reaches_nothing).
    "consultation:list": "own", "consultation:start": "own", "consultation:detail": "object", "consultation:invite": "object",
    "consultation:remind": "object", "consultation:close": "object", "consultation:version_add": "object",
    "consultation:version": "object", "consultation:answer": "object", "consultation:answer_file": "object",
    "consultation:paper": "object", "consultation:place": "object", "consultation:version_file": "object",
    "consultation:exclude": "object",
    # Consolidation: staff of the drafting body only, 404 for a respondent and another agency
    # (tests/consultation/test_consolidation_pages.py: test_respondents_and_other_agencies_reach_nothing).
    "consultation:consolidation": "object", "consultation:consolidation_run": "object",
    "consultation:consolidation_progress": "object", "consultation:consolidation_merge": "object",
    "consultation:group_members": "object", "consultation:group_close": "object", "consultation:group_respond": "object",
    # The synthesis report's downloads: staff of the drafting body only, 404 for a respondent and another agency
    # (tests/consultation/test_synthesis.py: test_only_the_drafting_body_downloads_the_report).
    "consultation:report": "object",
    # Invitations by exchange (tests/consultation/test_exchange_pages.py): sending the letter and entering an answer are
    # the consultation's staff's (404 for others of the agency and for another agency, nothing changed); a reply by exchange
    # is drafted by readers of the received document in its own agency (404 for another agency).
    "consultation:send_by_exchange": "object", "consultation:exchange_answer": "object", "exchange:reply": "object",
}


def _app_url_names():
    names = set()
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace in {"core", "accounts", "org", "workflow", "pki", "trust", "notifications", "signing", "consultation", "exchange", "hub"}:
            for sub in pattern.url_patterns:
                names.add(f"{namespace}:{sub.name}")
    return names


def test_every_page_is_covered():
    missing = _app_url_names() - set(COVERED)
    assert not missing, f"pages without an isolation check: {sorted(missing)}"


@pytest.fixture
def world(agency_a, agency_b, admin_a, admin_b):
    unit_a = make_unit(agency_a, "Ban Bí mật của A")
    person_a = make_person(agency_a, "nguoi.a", "Người Riêng Của A", unit=unit_a, roles=["specialist"])
    token_a = __import__("vanphong.accounts.services", fromlist=["x"]).create_api_token(person_a, "A's token")[0]
    return {"unit": unit_a, "person": person_a, "token": token_a}


@pytest.mark.django_db
def test_object_pages_of_agency_a_are_404_for_admin_b(client, world, admin_b):
    signed_in(client, admin_b)
    unit, person = world["unit"], world["person"]
    before = person.__class__.objects.get(pk=person.pk)
    for url in [f"/org/units/{unit.pk}/edit/", f"/org/people/{person.pk}/", f"/org/people/{person.pk}/edit/"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/org/units/{unit.pk}/edit/", f"/org/people/{person.pk}/edit/"]:
        assert client.post(url, {"name": "Đổi", "full_name": "Đổi", "clearance": 0}).status_code == 404, url
    for url in [f"/org/people/{person.pk}/reset-password/", f"/org/people/{person.pk}/reset-second-factor/", f"/org/people/{person.pk}/unlock/"]:
        assert client.post(url).status_code == 404, url
    assert client.post(f"/accounts/me/tokens/{world['token'].pk}/revoke/").status_code == 404
    after = person.__class__.objects.get(pk=person.pk)
    assert (after.full_name, after.password, after.must_change_password) == (before.full_name, before.password, before.must_change_password)
    world["token"].refresh_from_db()
    assert world["token"].revoked_at is None
    assert client.get(f"/org/people/?unit={unit.pk}").status_code == 404


@pytest.mark.django_db
def test_lists_of_admin_b_hold_nothing_of_agency_a(client, world, admin_b):
    signed_in(client, admin_b)
    for url in ["/org/units/", "/org/people/", "/org/people/?q=Rieng", "/", "/core/audit/" if False else "/audit/", "/org/units/new/", "/org/people/new/"]:
        body = client.get(url).content.decode()
        assert "Người Riêng Của A" not in body and "Ban Bí mật của A" not in body, url
    # A person of B cannot be put into A's unit.
    response = client.post("/org/people/new/", {"username": "x.b", "full_name": "X", "unit": world["unit"].pk, "clearance": 0})
    assert response.status_code == 200 and not world["person"].__class__.objects.filter(username="x.b").exists()


@pytest.mark.django_db
def test_audit_log_shows_only_own_agency(client, world, admin_a, admin_b):
    from vanphong.core import audit

    audit.record("org.unit.updated", actor=admin_a, agency=world["unit"].agency, target=world["unit"], data={"secret": "A-only-detail"})
    signed_in(client, admin_b)
    assert "A-only-detail" not in client.get("/audit/").content.decode()
    assert f"org.unit</span> {world['unit'].pk}" not in client.get("/audit/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/org/units/", "/org/units/new/", "/org/people/new/", "/org/import/", "/audit/", "/org/agencies/new/",
                                 "/workflow/calendar/", "/workflow/calendar/deadlines/", "/pki/manage/", "/pki/manage/certificates/",
                                 "/pki/manage/certificates/new/", "/pki/manage/certificates/abc/", "/pki/manage/operations/",
                                 "/signing/trusted-roots/"])
def test_clerk_gets_403_on_admin_pages(client, clerk_a, url):
    signed_in(client, clerk_a)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_agency_admin_cannot_edit_directory(client, admin_a, agency_b):
    signed_in(client, admin_a)
    assert client.get(f"/org/agencies/{agency_b.pk}/edit/").status_code == 403
    assert client.post("/org/agencies/new/", {"code": "000.00.00.H02", "name": "X", "short_name": "X", "notation_code": "X",
                                              "notation_scheme": "state"}).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ["/", "/org/units/", "/org/people/", f"/org/people/{world['person'].pk}/", "/org/agencies/", "/audit/", "/accounts/me/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_calendar_and_deadlines_of_agency_a_are_out_of_reach_of_b(client, world, agency_a, admin_b, clerk_a):
    """Agency B's administrator neither sees nor removes agency A's calendar changes and deadline
    rules (404), and changes made on B's pages land in B's calendar only; A's clerk gets 403."""
    from tests.workflow.conftest import plain_working_day
    from vanphong.workflow.models import CalendarChange, DeadlineRule

    day, day_b = plain_working_day(40), plain_working_day(50)
    change = CalendarChange.objects.create(agency=agency_a, day=day, kind="off", name="Nghỉ riêng của A")
    rule = DeadlineRule.objects.create(agency=agency_a, doc_type="BC", working_days=17)
    signed_in(client, admin_b)
    assert client.post(f"/workflow/calendar/days/{change.pk}/remove/").status_code == 404
    assert client.post(f"/workflow/calendar/deadlines/{rule.pk}/remove/").status_code == 404
    assert "Nghỉ riêng của A" not in client.get(f"/workflow/calendar/?year={day.year}").content.decode()
    assert f"/deadlines/{rule.pk}/remove/" not in client.get("/workflow/calendar/deadlines/").content.decode()
    client.post("/workflow/calendar/", {"day": f"{day_b:%d/%m/%Y}", "kind": "off", "name": "Của B"})
    assert CalendarChange.objects.get(name="Của B").agency == admin_b.agency
    assert CalendarChange.objects.filter(agency=agency_a).count() == 1 and DeadlineRule.objects.get().working_days == 17
    client.logout()
    signed_in(client, clerk_a)
    assert client.post(f"/workflow/calendar/days/{change.pk}/remove/").status_code == 403
    assert client.post(f"/workflow/calendar/deadlines/{rule.pk}/remove/").status_code == 403
    assert CalendarChange.objects.filter(pk=change.pk).exists() and DeadlineRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
def test_trusted_roots_are_out_of_reach_of_non_administrators(client, clerk_a, tmp_path):
    from tests.signing.test_trusted_roots_pages import make_root
    from vanphong.signing import services as signing
    from vanphong.signing.models import TrustedRoot

    root = signing.add_trusted_root(None, make_root("Root CA Riêng"), name="Root CA Riêng")
    signed_in(client, clerk_a)
    assert client.get("/signing/trusted-roots/").status_code == 403
    assert client.get(f"/signing/trusted-roots/{root.pk}/remove/").status_code == 403
    assert client.post(f"/signing/trusted-roots/{root.pk}/remove/").status_code == 403
    assert client.post("/signing/trusted-roots/", {"name": "X"}).status_code == 403
    assert "Root CA Riêng" not in client.get("/").content.decode()
    assert TrustedRoot.objects.filter(pk=root.pk).exists()


@pytest.mark.django_db
def test_the_network_page_is_for_operators_only(client, admin_a, clerk_a):
    for person in (admin_a, clerk_a):
        signed_in(client, person)
        assert client.get("/hub/network/").status_code == 403
    client.logout()
    assert client.get("/hub/network/")["Location"].startswith("/accounts/login/")
    # A signed-in person is no node: the node API refuses a session.
    signed_in(client, admin_a)
    response = client.get("/hub/api/getReceivedEdocList", HTTP_SERVICETYPE="eDoc")
    assert response.status_code == 401 and response.json()["ErrorCode"] == "2"
