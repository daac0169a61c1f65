{{/*
Names and labels shared by every template. Resource names are truncated to 63 characters
because some Kubernetes name fields are DNS labels.
*/}}

{{- define "cert-deployer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cert-deployer.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cert-deployer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the controller's pods; never change them after a release exists. */}}
{{- define "cert-deployer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cert-deployer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* Labels of the `helm test` pod: the release's, with a component the controller's selector never matches. */}}
{{- define "cert-deployer.testLabels" -}}
app.kubernetes.io/name: {{ include "cert-deployer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}

{{- define "cert-deployer.labels" -}}
{{ include "cert-deployer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "cert-deployer.chart" . }}
{{- end }}

{{- define "cert-deployer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cert-deployer.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Lease lives here: leaderElection.namespace, or the release namespace. */}}
{{- define "cert-deployer.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{- define "cert-deployer.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The operator policy as the JSON the controller's --policy flag parses. Unset (null) lists are
left out: absent means "not restricted by policy", an empty list means "nothing allowed".
*/}}
{{- define "cert-deployer.policyJson" -}}
{{- $p := dict "ambientCloudIdentity" (.Values.policy.ambientCloudIdentity | default false) }}
{{- range $k := list "pathRoots" "hosts" "commands" }}
{{- $v := index $.Values.policy $k }}
{{- if kindIs "slice" $v }}
{{- $_ := set $p $k $v }}
{{- end }}
{{- end }}
{{- $p | toJson }}
{{- end }}

{{/* shutdownGraceSeconds + 5 unless set; always larger than the controller's own deadline. */}}
{{- define "cert-deployer.terminationGracePeriodSeconds" -}}
{{- $grace := int .Values.shutdownGraceSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $grace 5 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) $grace }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be larger than shutdownGraceSeconds (%d)" (int .Values.terminationGracePeriodSeconds) $grace) }}
{{- else }}
{{- int .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* The rules the controller needs on its own kind, Secrets and Events: in each watched scope. */}}
{{- define "cert-deployer.watchRules" -}}
- apiGroups: ["certdeployer.io"]
  resources: ["certificatedeployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["certdeployer.io"]
  resources: ["certificatedeployments/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["certdeployer.io"]
  resources: ["certificatedeployments/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{- /*
Read-only access to DeploymentPolicies (cluster-scoped, written only by platform admins) and to
namespace labels (policies select namespaces by label). In namespaced mode the namespaces rule is
limited to the watched names (list/watch then carry fieldSelector=metadata.name=<ns>).
*/}}
{{- define "cert-deployer.policyRules" -}}
- apiGroups: ["certdeployer.io"]
  resources: ["deploymentpolicies"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
  {{- with .Values.namespaces }}
  resourceNames: {{ toJson . }}
  {{- end }}
{{- end }}
