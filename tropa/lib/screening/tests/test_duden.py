"""The German (Duden) transliteration table."""

import pytest

from tropa.lib.screening.duden import to_german


@pytest.mark.parametrize(
    ("russian", "german"),
    [
        ("Щербаков Юрий Фёдорович", "Schtscherbakow Juri Fjodorowitsch"),
        ("Иван Иванович", "Iwan Iwanowitsch"),
        ("Соловьёв Алексей Николаевич", "Solowjow Alexej Nikolajewitsch"),
        ("Хрущёв Никита Сергеевич", "Chruschtschow Nikita Sergejewitsch"),
        ("Наталья Васильевна", "Natalja Wassiljewna"),
        ("Евгений Ельцин", "Jewgeni Jelzin"),
        ("Вячеслав Ильич Ильин", "Wjatscheslaw Iljitsch Iljin"),
        ("Жуков Зайцев", "Schukow Saizew"),
    ],
)
def test_it_writes_russian_the_duden_way(russian: str, german: str) -> None:
    assert to_german(russian) == german


def test_it_keeps_other_characters() -> None:
    assert to_german("Щербаков-Smith, 1980") == "Schtscherbakow-Smith, 1980"
