from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Optional, ValidationError

from ..web.forms import Date

MAX_DAYS = 366 * 3


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = Date(_l("From"), [Optional()], name="from")
    end = Date(_l("To"), [Optional()], name="to")

    def validate_end(self, field):
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l("The end date comes before the start date."))
            if (field.data - self.start.data).days > MAX_DAYS:
                raise ValidationError(_l("Choose at most three years."))
