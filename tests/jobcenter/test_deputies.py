"""Deputies are checked before the database refuses them, in German."""

import pytest
from django.core.exceptions import ValidationError

from jobcenter.models import Deputy


def test_nobody_deputises_for_themselves(staff):
    entry = Deputy(ifk=staff["ifk"], deputy=staff["ifk"], position=1)
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert "Niemand kann sich selbst vertreten." in str(refused.value)
    assert not Deputy.objects.exists()
