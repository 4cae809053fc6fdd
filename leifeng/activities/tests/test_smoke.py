from leifeng.activities import services
from leifeng.activities.models import Signup


def test_signup_waitlist_and_promotion(org_tree, shift, volunteers):
    first, second, third = volunteers[:3]
    signed = [
        services.signup_create(actor=v.user, volunteer=v, shift=shift, risk_notice_read=True)
        for v in (first, second, third)
    ]
    assert [s.status for s in signed] == ["confirmed", "confirmed", "waitlisted"]
    services.signup_cancel(actor=first.user, signup=signed[0], reason="临时有事")
    signed[2].refresh_from_db()
    assert signed[2].status == Signup.Status.CONFIRMED
    shift.refresh_from_db()
    assert shift.confirmed == 2
