from afr_aid.services.cases import workflow


def test_a_filed_case_gets_a_reference_and_a_timeline(app, make_user, file_case):
    volunteer = make_user("volunteer")
    case = file_case(volunteer)
    assert case.ref.startswith("AR-") and case.ref.endswith("000001")
    assert case.status == "new"
    coordinator = make_user("coordinator", regions=["CD-NK"])
    workflow.transition(coordinator, case, "assign", {"assignee": volunteer.email})
    assert case.status == "assigned"
