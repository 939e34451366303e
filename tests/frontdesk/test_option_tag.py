"""`option_tag` writes a checkbox or radio option as Django's own templates would."""

from django import forms

from frontdesk.templatetags.frontdesk_tags import option_tag


class _Form(forms.Form):
    many = forms.MultipleChoiceField(
        choices=[("1", "eins"), ("2", "zwei & drei")],
        widget=forms.CheckboxSelectMultiple(attrs={"aria-describedby": "hint"}),
    )
    one = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect(attrs={"disabled": True})
    )


def test_same_html_as_the_widget_templates():
    form = _Form(initial={"many": ["2"], "one": "a"})
    options = [*form["many"], *form["one"]]
    assert options[0].data["wrap_label"] is True  # Django's default: still written directly
    for option in options:
        assert str(option_tag(option)) == str(option.tag())
    assert str(option_tag(options[1])) == (
        '<input type="checkbox" name="many" value="2" aria-describedby="hint"'
        ' id="id_many_1" checked>'
    )
    assert str(option_tag(options[2])) == (
        '<input type="radio" name="one" value="a" disabled id="id_one_0" required checked>'
    )
