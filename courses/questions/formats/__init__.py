"""Question interchange formats: Moodle's GIFT and Aiken."""
