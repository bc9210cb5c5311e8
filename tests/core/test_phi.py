from collections import Counter

import pytest

from bench.phi_corpus import load_corpus, score
from bot.core import phi
from bot.core.phi import FIELD_ERROR_LIMIT, KINDS, PhiHit, describe, field_error, scan, scan_fields

CASES, STAFF = load_corpus()


def with_check_digit(nine: str) -> str:
    """Ontario MOH: the tenth digit makes the whole number pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(nine)):
        n = int(ch) * (1 if i % 2 else 2)  # the check digit will sit to the right, so shift parity
        total += n - 9 if n > 9 else n
    return nine + str((10 - total % 10) % 10)


def kinds(text: str, staff_domains: tuple[str, ...] = ()) -> list[str]:
    return [hit.kind for hit in scan(text, staff_domains)]


# --- corpus -------------------------------------------------------------------------------------


def test_corpus_is_big_enough_to_mean_something():
    positives = Counter(kind for case in CASES for kind in case["kinds"])
    assert len(CASES) >= 150
    assert set(positives) == set(KINDS)
    assert min(positives.values()) >= 5
    assert sum(1 for case in CASES if not case["kinds"]) >= 30


def test_corpus_precision_and_recall():
    result = score(CASES, STAFF)
    print("\n" + result.table())
    assert not result.fn, f"missed kinds: {dict(result.fn)}\n" + "\n".join(result.misses)
    assert result.precision >= 0.95, "\n".join(result.misses)


# --- health card numbers ------------------------------------------------------------------------


def test_check_digit_helper_matches_a_known_number():
    assert with_check_digit("123456789") == "1234567897"


@pytest.mark.parametrize("nine", ["123456789", "987654321", "271828182", "000000001", "555123789"])
def test_a_number_passing_the_check_is_a_health_number_in_any_grouping(nine):
    number = with_check_digit(nine)
    for written in (
        number,
        f"{number[:4]}-{number[4:7]}-{number[7:]}",
        f"{number[:4]} {number[4:7]} {number[7:]}",
    ):
        assert kinds(f"Seen today, {written}, follow-up booked") == ["health_number"]


def test_a_number_failing_the_check_is_not_flagged_without_context():
    good = with_check_digit("123456789")
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    assert kinds(f"Vendor ticket {bad} still open") == []
    assert kinds(f"Vendor ticket {good} still open") == ["health_number"]


@pytest.mark.parametrize("context", ["health card", "OHIP #", "HCN:", "health number", "her OHIP number is"])
def test_a_number_failing_the_check_is_flagged_after_a_context_word(context):
    assert kinds(f"Note: {context} 1234-567-890 on the form") == ["health_number"]


def test_a_context_word_far_away_does_not_make_any_number_a_health_number():
    text = "OHIP billing codes were reviewed by the team in detail and later ticket 1234567890 was closed"
    assert kinds(text) == []


@pytest.mark.parametrize("suffix", ["-AB", " AB", "AB"])
def test_the_version_code_is_part_of_the_hit(suffix):
    text = f"card 1234-567-897{suffix} on file"
    [hit] = scan(text)
    assert text[hit.start : hit.end] == f"1234-567-897{suffix}"


def test_a_lower_case_word_after_the_number_is_not_a_version_code():
    text = "1234567897 is the number"
    [hit] = scan(text)
    assert text[hit.start : hit.end] == "1234567897"


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2013", "\u2014"])
def test_unicode_dashes_between_digit_groups(dash):
    text = f"carte santé 1234{dash}567{dash}897 dans la note"
    [hit] = scan(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("health_number", f"1234{dash}567{dash}897")
    assert kinds(f"appelez le 416{dash}555{dash}0199") == ["phone"]


def test_a_health_number_is_never_also_counted_as_a_phone_number():
    # Ten digits right after "call" look like a phone number too; the health number wins, once.
    number = with_check_digit("416555019")
    assert kinds(f"call {number}") == ["health_number"]


def test_part_of_a_longer_number_is_not_a_health_number():
    assert kinds("Accession 91234567897 and 12345678973") == []


# --- medical record numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("MRN 00123456 readmitted", "00123456"),
        ("chart #A-55321 reviewed", "A-55321"),
        ("MRN: 7781234", "7781234"),
        ("medical record number 1234567 had no plan", "1234567"),
        ("hospital number 44556", "44556"),
        ("patient ID 99812 declined", "99812"),
        ("patient id number 99812", "99812"),
        ("encounter number 88123401", "88123401"),
    ],
)
def test_an_identifier_right_after_a_record_word_is_an_mrn(text, identifier):
    [hit] = scan(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("mrn", identifier)


@pytest.mark.parametrize(
    "text",
    [
        "chart audit of 40 charts",
        "run chart of 12 weeks",
        "chart review of 30 charts",
        "run chart 2024",
        "the chart 2023-24 shows the drop",
        "MRN 123 is too short to be anything",
        "the patient ID field is optional",
    ],
)
def test_a_count_after_a_record_word_is_not_an_mrn(text):
    assert kinds(text) == []


# --- dates of birth -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "DOB 1984-03-12",
        "D.O.B.: 12/03/1984",
        "date of birth March 12 1984",
        "born on 12 Mar 1984",
        "birthdate Mar. 12, 1984",
        "b. 12-03-84",
        "date de naissance le 12 mars 1984",
    ],
)
def test_a_date_after_a_birth_word_is_a_date_of_birth(text):
    assert kinds(text) == ["dob"]


@pytest.mark.parametrize(
    "text", ["we met on March 12 2024", "data from 2023-01-01 to 2023-06-30", "due 12/03/2024"]
)
def test_other_dates_are_not_dates_of_birth(text):
    assert kinds(text) == []


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "416-555-0199",
        "(416) 555-0199",
        "416.555.0199",
        "+1 416 555 0199",
        "1-800-555-0199",
        "416-555-0199 ext. 1234",
    ],
)
def test_north_american_phone_numbers(number):
    text = f"call back at {number} today"
    [hit] = scan(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("phone", number)


@pytest.mark.parametrize(
    "text", ["room 4-117", "ext 5521", "in 2023", "3/10", "12:1", "45%", "2023-06-30", "at 15:00", "v2.10.3"]
)
def test_things_that_are_not_phone_numbers(text):
    assert kinds(text) == []


# --- e-mail addresses ---------------------------------------------------------------------------


def test_staff_domains_and_their_subdomains_are_not_phi():
    assert kinds("jane.doe@uhn.ca and a@psych.UHN.ca", ("uhn.ca",)) == []
    assert kinds("someone@gmail.com", ("uhn.ca",)) == ["email"]


@pytest.mark.parametrize("address", ["x@notuhn.ca", "x@uhn.ca.example.com"])
def test_lookalike_staff_domains_are_phi(address):
    assert kinds(address, ("uhn.ca",)) == ["email"]


def test_staff_domains_may_be_written_with_an_at_sign_and_any_case():
    assert kinds("jane@uhn.ca", [" @UHN.ca "]) == []


def test_every_address_is_phi_without_staff_domains():
    assert kinds("jane.doe@uhn.ca") == ["email"]


def test_slack_mentions_are_not_email_addresses():
    assert kinds("ping @channel and @jane.doe") == []


# --- postal codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["M5T 1R8", "m5t1r8", "M5T-1R8"])
def test_postal_codes(code):
    assert kinds(f"lives near {code} now") == ["postal_code"]


@pytest.mark.parametrize("text", ["A1C", "A1C 7.2", "D5T 1R8", "W5T 1R8", "M5T 1O8"])
def test_codes_that_cannot_be_postal_codes(text):
    assert kinds(text) == []


# --- scanning -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, ""])
def test_nothing_to_scan(text):
    assert scan(text) == []


def test_hits_are_sorted_and_do_not_overlap():
    hits = scan("M5T 1R8, call 416-555-0199, DOB 1984-03-12, MRN 00123456, x@gmail.com")
    assert [h.kind for h in hits] == ["postal_code", "phone", "dob", "mrn", "email"]
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:], strict=False))


def test_a_long_paste_scans_and_still_finds_the_identifier():
    # Shapes that make careless regexes backtrack: long word runs, digit runs, whitespace, "@"s.
    filler = ("a" * 5000 + " " + "1" * 5000 + " " * 5000 + "@" * 2000 + "chart " * 1000 + "MRN ") * 3
    text = filler[:49_970] + " call 416-555-0199"
    assert len(text) > 49_980
    assert [h.kind for h in scan(text)] == ["phone"]


def test_scan_fields_returns_only_fields_with_hits():
    found = scan_fields(
        {"aim": "Reduce wait times by 20%", "tried": "called 416-555-0199", "notes": None, "more": ""},
        staff_domains=iter(["uhn.ca"]),
    )
    assert list(found) == ["tried"]
    assert [h.kind for h in found["tried"]] == ["phone"]


def test_scan_fields_applies_staff_domains_to_every_field():
    # A one-shot iterator of domains must still apply to the second field.
    found = scan_fields({"a": "x@uhn.ca", "b": "y@uhn.ca"}, staff_domains=iter(["uhn.ca"]))
    assert found == {}


# --- messages to the user -----------------------------------------------------------------------


def test_describe_names_fields_and_kinds_but_never_the_value():
    fields = {"tried": "call 416-555-0199 or 416-555-0142, DOB 1984-03-12", "aim": "x@gmail.com"}
    message = describe(scan_fields(fields), {"tried": "What did you try?", "aim": "Aim"})
    assert message == (
        "It looks like *What did you try?* contains a date of birth and a phone number, and *Aim* contains "
        "an e-mail address. Slack is not a health record, so we kept nothing: please remove patient "
        "identifiers and try again."
    )
    for value in ("416", "555", "0199", "1984", "gmail"):
        assert value not in message


def test_describe_uses_the_field_name_without_a_label():
    message = describe({"notes": [PhiHit("postal_code", 0, 7)]})
    assert message.startswith("It looks like *notes* contains a postal code.")


def test_describe_has_nothing_to_say_without_hits():
    assert describe({}) == ""
    assert describe({"aim": []}) == ""


def test_field_error_names_the_kinds_once():
    hits = scan("call 416-555-0199 or 416-555-0142")
    assert field_error(hits) == "Remove the phone number: patient identifiers must not be shared in Slack."


def test_field_error_fits_slack_limit_even_with_every_kind():
    every_kind = [PhiHit(kind, i, i + 1) for i, kind in enumerate(KINDS)]
    message = field_error(every_kind)
    assert len(message) <= FIELD_ERROR_LIMIT == 150
    assert "identifiers" in message
    for n in range(1, len(KINDS) + 1):
        assert len(field_error(every_kind[:n])) <= 150


def test_field_error_is_empty_without_hits():
    assert field_error([]) == ""


def test_hit_label_is_the_human_label():
    assert PhiHit("health_number", 0, 10).label == "an Ontario health card number"


def test_redact_replaces_every_identifier_and_keeps_the_rest():
    text = "Call 416-555-0199 or write to pat@gmail.com; staff: qi@uhn.ca, see you 2026-11-20"
    assert phi.redact(text, ("uhn.ca",)) == (
        "Call [identifier removed] or write to [identifier removed]; staff: qi@uhn.ca, see you 2026-11-20")
    assert phi.redact("Nothing to hide here") == "Nothing to hide here"


# --- what the member trial found (issue 16) -----------------------------------------------------


@pytest.mark.parametrize("written", ["1234-567-890", "1234.567.890", "1234/567/890", "1234 567 890",
                                     "1 2 3 4 5 6 7 8 9 0", "  1234567890. "])
def test_a_health_number_posted_on_its_own_is_flagged_whatever_its_check_digit(written):
    assert kinds(written) == ["health_number"]


@pytest.mark.parametrize("word", ["patient", "Pt", "client", "resident", "bed 4:", "seen in bed 4, number"])
def test_a_ten_digit_number_near_a_patient_word_is_a_health_number(word):
    assert kinds(f"{word} 1234567890 on 4B") == ["health_number"]


@pytest.mark.parametrize("text", ["patient 00123456 missed bloodwork", "pt #1234567 missed", "client no. 654321",
                                  "escalated #20231145 today", "Patient ID: 4412093 left"])
def test_six_to_ten_digits_after_a_patient_word_or_hash_are_identifiers(text):
    assert kinds(text) == ["mrn"]


@pytest.mark.parametrize("text", ["Mrs Smith on 4B said it helped", "Mr. Okafor asked", "Ms Tremblay-Roy",
                                  "Miss Li waited", "Mx Rivera preferred", "Mme Gagnon a dit"])
def test_an_honorific_with_a_capitalised_name_is_a_patient_name(text):
    assert kinds(text) == ["name"]


@pytest.mark.parametrize("text", ["Pt J.D., 45M, screened late", "JD 72 F fell", "A.B. (34, F) was first"])
def test_initials_with_age_and_sex_are_a_patient(text):
    assert kinds(text) == ["name"]


@pytest.mark.parametrize("text", ["45 y/o F admitted", "a 67-year-old man waited", "a 19 yo male"])
def test_an_age_written_as_an_age_with_a_sex_is_flagged(text):
    assert kinds(text) == ["age_sex"]


@pytest.mark.parametrize("text", ["Dr Chen presented", "Dr. Okafor and Prof. Singh reviewed it on 2026-11-28",
                                  "12 of 40 patients (30%)", "room 4-117", "pt 3 of 12", "MS clinic",
                                  "Miss the huddle", "Issue #4521", "Budget $1.2M", "Vendor ticket 1234567891 open",
                                  "Order set ID 4827-163-950 was rebuilt", "Patient's cell 6475550177"])
def test_meetings_rooms_counts_and_staff_still_pass(text):
    assert "health_number" not in kinds(text) and "name" not in kinds(text) and "mrn" not in kinds(text)


# --- the one gate -------------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ["1234\u200b-567-897", "1234-\u2060567-897", "\uff11\uff12\uff13\uff14-567-897",
                                    "1234\u00ad567\u200c897", "\u202e1234-567-897"])
def test_the_gate_sees_through_invisible_characters_and_full_width_digits(hidden):
    with pytest.raises(phi.ContainsPhi) as refused:
        phi.guard((), tried=f"OHIP {hidden} on file")
    assert set(refused.value.hits) == {"tried"}


def test_the_gate_returns_the_text_to_store_without_controls_or_direction_overrides():
    clean = phi.guard((), tried="Huddle\x00 at 9\x07\x1b, see \u202elink\u202c\r\nthen\tgo", learned=None)
    assert clean == {"tried": "Huddle at 9, see link\nthen\tgo", "learned": None}


def test_the_gate_names_fields_and_kinds_for_modal_errors():
    with pytest.raises(phi.ContainsPhi) as refused:
        phi.guard((), tried="Mrs Smith", learned="fine", aim="call 416-555-0199")
    errors = refused.value.field_errors({"tried": "tried_block"})
    assert set(errors) == {"tried_block", "aim"}
    assert errors["tried_block"] == "Remove the patient's name or initials: patient identifiers must not be shared in Slack."
