import pytest

from openasc.core import codes
from openasc.core.models import ReferenceCode


def test_release_2_lists_are_exact_and_ordered(db):
    assert codes.values(codes.ListName.CLIENT_TYPE) == (
        "Service user",
        "Unpaid carer",
        "Unpaid carer known by association",
    )
    assert codes.is_valid(codes.ListName.ETHNICITY, "White: Irish")
    assert not codes.is_valid(codes.ListName.ETHNICITY, "white: irish")  # exact, including case
    assert codes.values(codes.ListName.SERVICE_TYPE, "R1")[0] == "Long Term Support: Nursing Care"


def test_unpublished_lists_are_marked_unconfirmed(db):
    gender = ReferenceCode.objects.filter(list_name="Gender", release="R2")
    assert gender.exists() and not gender.filter(is_confirmed=True).exists()
    assert (
        ReferenceCode.objects.filter(list_name="Service Type", release="R2", is_confirmed=False).count() == 0
    )


@pytest.mark.no_audit_safety_net
def test_an_emptied_table_is_refilled_from_the_versioned_file(db):
    ReferenceCode.objects.all().delete()
    codes.clear_cache()
    assert "Direct payment" in codes.values(codes.ListName.DELIVERY_MECHANISM)
    assert ReferenceCode.objects.count() > 200


def test_loading_twice_changes_nothing(db):
    before = ReferenceCode.objects.count()
    codes.load_reference_codes()
    assert ReferenceCode.objects.count() == before
