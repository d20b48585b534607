"""`LEIA-ME.txt`: what the ZIP holds and how to check it, in plain Portuguese, for the person it is about."""

from __future__ import annotations

from typing import Final

FILE_NAME: Final = "LEIA-ME.txt"


def readme_text(
    *, company: str, subject: str, created_at: str, counts: dict[str, int], pdf_files: list[str], checkpoint_seq: int
) -> str:
    pdf = (
        f"- {', '.join(pdf_files)}: as mesmas conversas em PDF, para imprimir. Emojis e outros caracteres que as\n"
        "  fontes do PDF não desenham aparecem pelo nome entre colchetes; o texto exato está em messages.jsonl.\n"
        if pdf_files
        else ""
    )
    return f"""DADOS PESSOAIS MANTIDOS SOBRE VOCÊ — {company}
{"=" * 60}

Este arquivo responde a um pedido de acesso e de portabilidade de dados pessoais feito com base na
Lei Geral de Proteção de Dados (LGPD, Lei nº 13.709/2018, arts. 18 e 19). Ele reúne tudo o que o
sistema de arquivamento de WhatsApp da empresa (Atalaia) guarda sobre o titular identificado pelo
telefone {subject}, na data de {created_at} (UTC).

O QUE ESTÁ AQUI
- relatorio.html: tudo em um documento legível; abra no navegador.
{pdf}- contacts.json: o seu cadastro como contato ({counts["contacts"]} registro(s)): número, identificadores do
  WhatsApp e o nome de perfil que o WhatsApp informou.
- conversations.json: as conversas em que você aparece ({counts["conversations"]}). "scope": "all" são
  conversas individuais com a empresa (todas as mensagens, enviadas e recebidas); "own_messages" são
  grupos, dos quais entram só as mensagens que você escreveu.
- messages.jsonl: as mensagens ({counts["messages"]}), uma por linha, em JSON: o texto original, cada edição,
  a exclusão ("apagar para todos": o texto original é preservado e aparece aqui), reações, situação
  de entrega e leitura, e os anexos. Horários em UTC, com o horário local da linha ao lado.
- attachments/: os anexos ({counts["attachments"]}), decifrados, cada um com o nome igual ao seu SHA-256.
  Um anexo que nunca foi baixado do WhatsApp aparece em messages.jsonl e no manifesto como ausente,
  com o motivo.
- notices.json: os avisos de que a conversa é gravada enviados a você ({counts["notices"]}), com a
  entrega e a leitura informadas pelo WhatsApp.
- alerts.json: os alertas de conformidade ligados às suas mensagens ({counts["alerts"]}): a política, a
  gravidade e a situação, e o trecho que a disparou, mascarado. As anotações internas dos revisores
  não fazem parte dos seus dados e não estão aqui.
- reactions.json: as suas reações a mensagens de outras pessoas em grupos ({counts["reactions"]}), só com
  o número da mensagem (a mensagem é de outra pessoa).
- manifest.json: a lista de todos os arquivos com o SHA-256 de cada um.

O QUE NÃO ESTÁ AQUI, E POR QUÊ
As mensagens de outras pessoas nos grupos, e as reações delas, são dados de terceiros. Do lado da
empresa aparece só a linha (o número), sem o nome nem o e-mail do colaborador.

COMO CONFERIR
Cada arquivo tem o SHA-256 listado em manifest.json ("files"). Para conferir um arquivo:
  Linux:   sha256sum messages.jsonl
  macOS:   shasum -a 256 messages.jsonl
  Windows: certutil -hashfile messages.jsonl SHA256
As mensagens vêm de um arquivo à prova de adulteração: cada registro está numa cadeia de hashes e o
ponto de corte desta exportação (checkpoint nº {checkpoint_seq}) é assinado com Ed25519; manifest.json traz
a assinatura e a chave pública para quem quiser verificar.

Dúvidas ou pedidos de correção, anonimização ou eliminação: fale com o encarregado de dados (DPO)
de {company}.
"""
