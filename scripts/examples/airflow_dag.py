# SPDX-License-Identifier: MIT
# airflow_dag.py: the steps of ci-train-promote.sh as an Airflow DAG,
# one BashOperator per mmp command. Each task's last stdout line goes to
# XCom, so the run id and the version flow to the next steps. Airflow
# fails a task on a non-zero exit; mmp approve exits 2 (needs review) or
# 3 (rejected), which stops the DAG before promotion.
#
# Put this file in Airflow's dags/ folder and set MMP_PROJECT to the mmp
# project directory (holding .mmp/ and recipes/) on the workers.
import os
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

PROJECT = os.environ.get("MMP_PROJECT", "/srv/mmp-project")
RECIPE = "recipes/breast-cancer.yaml"
MODEL = "cancer"

with DAG(
    dag_id="mmp_train_approve_promote",
    start_date=datetime(2026, 1, 1),
    schedule="@weekly",
    catchup=False,
    default_args={"cwd": PROJECT, "retries": 0},
    tags=["mmp"],
) as dag:
    train = BashOperator(
        task_id="train",
        bash_command=f"mmp train --recipe {RECIPE} --json | jq -r .run_id",
    )
    register = BashOperator(
        task_id="register",
        bash_command=(
            "mmp register {{ ti.xcom_pull(task_ids='train') }} "
            f"--name {MODEL} --json | jq -r .model_version.version"
        ),
    )
    approve = BashOperator(
        task_id="approve",
        bash_command=(
            f"mmp approve {MODEL} "
            "v{{ ti.xcom_pull(task_ids='register') }} --json"
        ),
    )
    promote = BashOperator(
        task_id="promote",
        bash_command=(
            f"mmp promote {MODEL} "
            "v{{ ti.xcom_pull(task_ids='register') }} Production"
        ),
    )

    train >> register >> approve >> promote
