"""Knowledge tracing: pure numpy/scipy models with no Django imports (the tutor's services call them)."""
