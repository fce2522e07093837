from rest_framework import serializers


class CourseSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()


class StepRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.CharField()
    problem_ids = serializers.ListField(child=serializers.IntegerField())


class ModuleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    steps = StepRefSerializer(many=True)


class ConceptSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    prerequisites = serializers.ListField(child=serializers.SlugField(), source="prerequisite_slugs")


class ProblemSerializer(serializers.Serializer):
    """A problem without its answer, hints or solution."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    step = serializers.SlugField(source="step_slug")
    kind = serializers.CharField()
    prompt_html = serializers.CharField()
    difficulty = serializers.FloatField()
    concepts = serializers.ListField(child=serializers.SlugField(), source="concept_slugs")
    options = serializers.ListField(child=serializers.CharField())
    multiple = serializers.BooleanField()
    code = serializers.CharField()
    hint_count = serializers.IntegerField()


class CourseDetailSerializer(CourseSerializer):
    description_html = serializers.CharField()
    target_success = serializers.FloatField()
    modules = ModuleSerializer(many=True)
    concepts = ConceptSerializer(many=True)
    problems = ProblemSerializer(many=True)
