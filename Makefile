# Thin wrappers over the real commands. Every target builds the locked
# environment first if it is missing or stale, so a fresh machine needs only
# python3 (3.11 or newer) and make.

PYTHON ?= python3
UV_VERSION := 0.13.9
# Use uv from PATH if there is one; otherwise bootstrap it into .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
# Two environments in one .venv. The full one (make test, site, notebooks, ...)
# adds the test and site toolchains to the lean one, which is all make lab needs:
# a student who only opens the notebooks never downloads pytest or Sphinx.
STAMP := $(VENV)/.crm-course-ready
LAB_STAMP := $(VENV)/.crm-course-lab
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# One BLAS thread for every command and the kernels they start. The course's
# matrices are small, and there multi-threaded OpenBLAS is many times slower
# (a clustered fixed-effects fit: 5.9 s against 0.4 s on 2 cores); one thread
# also keeps printed digits the same on every machine.
export OPENBLAS_NUM_THREADS := 1
PYTEST_NB := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

# The course's language: make lab LANG=ru (and student, slides, key-figures) use the
# Russian edition, notebooks/ru/. LANG is also the system's locale variable, so a
# value given on make's command line is taken as the course's language and the
# commands below run in a neutral UTF-8 locale instead of LANG=ru.
ifeq ($(origin LANG),command line)
COURSE_LANG := $(LANG)
override LANG := C.UTF-8
export LANG
else
COURSE_LANG := en
endif
ifeq ($(filter $(COURSE_LANG),en ru),)
$(error LANG=$(COURSE_LANG): the course is in English (LANG=en, the default) and Russian (LANG=ru))
endif
NOTEBOOK_DIR := $(if $(filter ru,$(COURSE_LANG)),notebooks/ru,notebooks)
LAB_LOCALE := $(if $(filter ru,$(COURSE_LANG)),ru_RU,en)

.PHONY: env env-lab lab-settings lab test test-fast notebooks data student grade site slides key-figures binder colab bench clean help

help:
	@echo "make lab        open the course in JupyterLab (make lab LANG=ru: the Russian edition, in a Russian JupyterLab)"
	@echo "make test       run every test (unit, recovery, data, notebooks)"
	@echo "make notebooks  re-execute every notebook in place, top to bottom (both languages)"
	@echo "make data       regenerate the shipped tables in data/"
	@echo "make student    write the student kit to student/ (notebooks without solutions, data, package, README; LANG=ru: in Russian)"
	@echo "                with ROSTER=roster.csv SECRET_FILE=secret.txt: one kit per student, on their own world"
	@echo "make grade SUBMISSIONS=dir"
	@echo "                run and grade submitted notebooks: grades/gradebook.csv and grades/feedback/"
	@echo "make site       build the student edition of the course site in site/ (English) and site/ru/ (Russian)"
	@echo "                (make site EDITION=lecturer: the lecturer's, in site-lecturer/)"
	@echo "make slides     write each chapter's slide deck to slides/ (static HTML, opens offline; LANG=ru: slides/ru/)"
	@echo "make key-figures  regenerate docs/key-figures.md and docs/key-figures.ru.md from the executed notebooks"
	@echo "make bench      time the notebooks and the heavy computations"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

KERNEL := $(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CRM course)" >/dev/null

# The full environment: every default group (tests, site) and the lab extra.
# It holds the lean one, so it makes the lab stamp too.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra lab
	$(KERNEL)
	@$(MAKE) --no-print-directory lab-settings
	@touch $(STAMP) $(LAB_STAMP)

# The lean environment: the package and JupyterLab only. --inexact keeps the
# test and site tools if the full environment was built before.
$(LAB_STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --inexact --no-default-groups --extra lab
	$(KERNEL)
	@$(MAKE) --no-print-directory lab-settings
	@touch $(LAB_STAMP)

env: $(STAMP)

env-lab: $(LAB_STAMP)

# JupyterLab settings of this environment only: no news pop-up, no update
# check, no extension manager: noise a newcomer can act on none of.
define LAB_OVERRIDES
{
  "@jupyterlab/translation-extension:plugin": {
    "locale": "$(LAB_LOCALE)"
  },
  "@jupyterlab/apputils-extension:notification": {
    "fetchNews": "false",
    "checkForUpdates": false
  },
  "@jupyterlab/extensionmanager-extension:plugin": {
    "enabled": false
  }
}
endef
export LAB_OVERRIDES

lab-settings:
	@mkdir -p $(dir $(LAB_SETTINGS))
	@printf '%s\n' "$$LAB_OVERRIDES" > $(LAB_SETTINGS)

# JupyterLab refuses to run as root unless told; containers and some servers run as root.
LAB_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

# At the course root, so the file browser shows data/README.md beside notebooks/;
# the introduction opens first. Warnings only: the terminal shows the address to
# open and what went wrong, not the server's start-up log.
# The settings are rewritten on every start, so the interface follows LANG.
lab: $(LAB_STAMP)
	@$(MAKE) --no-print-directory lab-settings
	$(BIN)/jupyter lab $(LAB_ROOT) --ServerApp.log_level=WARN --ServerApp.root_dir="$(CURDIR)" $(NOTEBOOK_DIR)/00_introduction.ipynb

# Every core works: pytest-xdist spreads the test files over the workers, and
# --dist loadfile keeps each notebook (and each module's fixtures) on one worker.
# On the 2 cores of CI this halves the run (9.5 min -> 5 min). TEST_WORKERS=0 runs
# everything in one process, for debugging.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks $(PYTEST_NB) -n $(TEST_WORKERS) --dist loadfile

# The Python tests without the notebooks: a quick loop while editing helpers.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m crm_kit.notebooks execute notebooks/*.ipynb notebooks/ru/*.ipynb

data: $(STAMP)
	$(BIN)/python -m crm_course.world --out data

# The student kit: the notebooks without solutions, the data, the course package without the
# answer key, and a README with the one command that opens it (crm_kit.kit). With a roster
# (a CSV with an id column) and the lecturer's secret, one kit per student or group in
# student/<id>/, each on its own world:
#   make student ROSTER=roster.csv SECRET_FILE=secret.txt [MEMBERS=20000] [KIT_ADDRESS=url]
# SECRET=... works too; it is passed through the environment so that make does not print it.
STUDENT_OUT ?= student
ifdef SECRET
export CRM_KIT_SECRET := $(SECRET)
endif
student: $(STAMP)
	$(BIN)/python -m crm_kit.kit --lang $(COURSE_LANG) --out $(STUDENT_OUT) $(if $(ROSTER),--roster "$(ROSTER)") \
		$(if $(SECRET_FILE),--secret-file "$(SECRET_FILE)") $(if $(MEMBERS),--members $(MEMBERS)) \
		$(if $(KIT_ADDRESS),--kit-address "$(KIT_ADDRESS)")

# Grade submitted notebooks (crm_kit.grade): SUBMISSIONS holds one folder per student, named by
# the student's id. Each notebook runs in a fresh kernel on that student's world (from the kits
# in KITS, default student/, or regenerated with SECRET_FILE), with a time limit per cell and
# per notebook (CELL_TIMEOUT, TIMEOUT in seconds). Writes grades/gradebook.csv (Moodle),
# grades/gradebook-canvas.csv (Canvas) and grades/feedback/<id>.md.
KITS ?= $(STUDENT_OUT)
GRADES_OUT ?= grades
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-with-one-folder-per-student [KITS=student] [SECRET_FILE=...]"; exit 2; }
	$(BIN)/python -m crm_kit.grade "$(SUBMISSIONS)" --out $(GRADES_OUT) --kits "$(KITS)" \
		$(if $(SECRET_FILE),--secret-file "$(SECRET_FILE)") $(if $(MEMBERS),--members $(MEMBERS)) \
		$(if $(CHAPTERS),--chapters $(CHAPTERS)) $(if $(CELL_TIMEOUT),--cell-timeout $(CELL_TIMEOUT)) \
		$(if $(TIMEOUT),--timeout $(TIMEOUT)) --lang $(COURSE_LANG)

# The student edition (no solutions, no lecturer pages) unless EDITION=lecturer.
EDITION ?= student
site: $(STAMP)
	$(BIN)/python -m crm_kit.site --edition $(EDITION)

# One reveal.js deck per notebook, from the cells' slide metadata, with local
# copies of reveal.js and MathJax: open slides/NN_name.slides.html from disk.
slides: $(STAMP)
	$(BIN)/python -m crm_kit.slides --lang $(COURSE_LANG)

# The numbers the lecturer quotes, read from the notebooks' cells tagged key-figure.
key-figures: $(STAMP)
	$(BIN)/python -m crm_kit.key_figures --lang en
	$(BIN)/python -m crm_kit.key_figures --lang ru

# Colab installs the package from where you publish the course: write that
# address into every notebook's first cell, e.g. make colab REPO=https://github.com/you/crm-course.git
colab: $(STAMP)
	@test -n "$(REPO)" || { echo "usage: make colab REPO=https://...your copy of the course...git"; exit 2; }
	$(BIN)/python -m crm_kit.notebooks set-repository "$(REPO)" notebooks/*.ipynb notebooks/ru/*.ipynb

# Binder's pinned requirements, exported from uv.lock (a test checks they agree).
binder: $(STAMP)
	$(UV) export --frozen --no-hashes --no-header --no-default-groups --extra lab --no-emit-project --quiet -o binder/requirements.txt

bench: $(STAMP)
	$(UV) sync --locked --inexact --group bench --quiet
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf student grades site site-lecturer slides _build .pytest_cache
