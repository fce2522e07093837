from rest_framework import serializers


class AttemptIn(serializers.Serializer):
    answer = serializers.JSONField(help_text="A number or string; for choice problems a list of option indexes (0-based).")
    client_attempt_id = serializers.UUIDField(help_text="Client-generated; a retry with the same id returns the first result.")
    time_taken_ms = serializers.IntegerField(required=False, min_value=0, allow_null=True)

    def validate_answer(self, value):
        if value is None or (isinstance(value, (dict,))):
            raise serializers.ValidationError("expected a number, a string or a list of option indexes")
        return value


class AttemptOut(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    problem_id = serializers.IntegerField()
    correct = serializers.BooleanField()
    feedback = serializers.CharField()
    hints_seen = serializers.IntegerField()
    created = serializers.BooleanField()
    solution_seen = serializers.BooleanField(help_text="The worked solution was revealed before this attempt.")
    earned = serializers.BooleanField(help_text="Correct before the worked solution: counts for progress and mastery.")
    throwaway = serializers.BooleanField(help_text="The same wrong answer again in under a second: unlocks nothing.")
    revisit = serializers.CharField(help_text="Concept slug an authored misconception points back to, or empty.")
    follow_up = serializers.CharField(help_text="The assistant's probing question after an explain-back answer, or empty.")


class HintOut(serializers.Serializer):
    index = serializers.IntegerField()
    html = serializers.CharField()
    remaining = serializers.IntegerField()


class SolutionOut(serializers.Serializer):
    html = serializers.CharField()


class ModuleProgressOut(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    done_steps = serializers.IntegerField()
    total_steps = serializers.IntegerField()
    percent = serializers.IntegerField()


class ProgressOut(serializers.Serializer):
    percent = serializers.IntegerField()
    done_steps = serializers.IntegerField()
    total_steps = serializers.IntegerField()
    known_steps = serializers.IntegerField(help_text="Steps not done whose concepts placement or practice showed mastered.")
    continue_step = serializers.SlugField(allow_null=True)
    modules = ModuleProgressOut(many=True)
